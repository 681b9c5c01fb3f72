"""What a run did, in lines an operator reads in the terminal."""

from __future__ import annotations

from collections import Counter

from sources.intake import IntakeReport
from sources.normalise import period_label

# Problems shown per quarantined file before "(+N more, see the reason file)".
_SHOWN_PROBLEMS = 2


def intake_lines(report: IntakeReport, home_root) -> list[str]:
    files = len(report.files)
    lines = [
        f"intake: {files} file(s) in {report.seconds:.1f} s — "
        f"{report.count('ingested')} ingested, {report.count('quarantined')} quarantined, "
        f"{report.count('partly quarantined')} partly quarantined, "
        f"{report.count('duplicate')} duplicate; "
        f"{report.filings_accepted} filing(s) accepted, {report.rows:,} rows",
    ]
    by_period = Counter(period for f in report.files for _, period, _ in f.accepted)
    if by_period:
        lines.append(
            "accepted filings by period: "
            + ", ".join(f"{period_label(p)} {c}" for p, c in sorted(by_period.items()))
        )
    corrections = sum(rev > 0 for f in report.files for _, _, rev in f.accepted)
    if corrections:
        lines.append(f"corrections accepted (更正): {corrections}")
    quarantined = [f for f in report.files if f.problems]
    if quarantined:
        lines.append(f"quarantined ({len(quarantined)} file(s)) — why:")
        for f in quarantined:
            lines.append(f"  {f.file_name} -> {f.quarantine_path.relative_to(home_root)}")
            for p in f.problems[:_SHOWN_PROBLEMS]:
                lines.append(f"    {p.sentence()}")
            if len(f.problems) > _SHOWN_PROBLEMS:
                lines.append(f"    (+{len(f.problems) - _SHOWN_PROBLEMS} more in the reason file)")
    if report.ignored:
        lines.append(f"left in landing (not filings): {', '.join(report.ignored)}")
    return lines
