"""Great Expectations suites that validate filings and candidate marts before they publish.

The filing-level rules B1-B4 are checked on arrival by the readers
(sources/); this package holds the suites for the rules that need context
across sheets or periods (B5-B7, W1-W5) and the pre-publish checks of the
candidate marts.
"""
