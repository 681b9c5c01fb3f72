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
        f"{report.count('duplicate')} duplicate, {report.count('re-sent')} re-sent; "
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
    resent = [(f.file_name, key) for f in report.files for key in f.resent]
    if resent:
        lines.append(
            f"re-sent after a rejection ({len(resent)} filing(s)): decided again — "
            + ", ".join(
                f"{park} {period_label(period)} ({name})" for name, (park, period, _) in resent
            )
        )
    quarantined = [f for f in report.files if f.problems]
    if quarantined:
        lines.append(f"quarantined ({len(quarantined)} file(s)) — why:")
        for f in quarantined:
            lines.append(f"  {f.file_name} -> {f.quarantine_path.relative_to(home_root)}")
            for p in f.problems[:_SHOWN_PROBLEMS]:
                lines.append(f"    {p.sentence()}")
            if len(f.problems) > _SHOWN_PROBLEMS:
                lines.append(f"    (+{len(f.problems) - _SHOWN_PROBLEMS} more in the reason file)")
    left = report.left_in_landing()
    if left:
        lines.append(f"left in landing/, not taken ({len(left)}):")
        lines += [f"  {name!r}: {why}" for name, why in left]
    if report.already_taken:
        lines.append(
            f"removed from landing/: {len(report.already_taken)} file(s) an interrupted run "
            "had already taken in"
        )
    return lines


def validation_lines(report) -> list[str]:
    """The filing suites' verdicts: counts, every rejection with its reason, warnings by rule."""
    lines = [
        f"validation: {len(report.verdicts)} filing(s) in {report.seconds:.1f} s — "
        f"{report.count('accepted')} accepted, {report.count('warned')} accepted with warnings, "
        f"{report.count('waived')} waived, {report.count('rejected')} rejected"
    ]
    for v in report.verdicts:
        again = f" — decided again ({v.because}), was {v.was}" if v.was else ""
        if v.status == "rejected":
            blocking = [p for p in v.problems if p.blocking]
            lines.append(
                f"  rejected {v.park_code} {period_label(v.period)} ({v.file_name}){again}:"
            )
            lines += [f"    {p.sentence()}" for p in blocking[:_SHOWN_PROBLEMS]]
        elif v.was:
            lines.append(
                f"  {v.status} {v.park_code} {period_label(v.period)} ({v.file_name}){again}"
            )
        if v.status == "waived":
            for w in v.waivers:
                lines.append(f"  waived {v.park_code} {period_label(v.period)}: {w.words}")
    warnings = Counter(
        p.rule
        for v in report.verdicts
        if v.status != "rejected"
        for p in v.problems
        if not p.blocking
    )
    if warnings:
        lines.append(
            "warnings for the stewards: "
            + ", ".join(f"{rule} ×{n}" for rule, n in sorted(warnings.items()))
        )
    return lines
