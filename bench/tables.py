"""The benchmark's figures as Markdown tables (printed, and pasted into BENCHMARKS.md)."""

from __future__ import annotations

from bench.workloads import Plan

STAGES = ("intake", "validate filings", "dbt build", "validate marts", "publish", "report")
GIB = 2**30


def print_report(results: dict, plan: Plan) -> None:
    print("\n".join(report_lines(results, plan)))


def report_lines(results: dict, plan: Plan) -> list[str]:
    m = results["machine"]
    lines = [
        f"## {results['size']} benchmark, commit {results['commit']}",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, {m['os']}, "
        f"Python {m['python']}.",
        "",
        "| workload | run | wall s | " + " | ".join(STAGES) + " | files | rows | files/s | "
        "rows/s | peak RSS MiB |",
        "|---|---|---:|" + "---:|" * len(STAGES) + "---:|---:|---:|---:|---:|",
    ]
    workloads = results["workloads"]
    for key, w in workloads.items():
        for r in w["runs"]:
            t = r["timing"]
            stages = t["seconds"]
            lines.append(
                f"| {key} | {r['label']} | {r['wall']:.1f} | "
                + " | ".join(f"{stages.get(s, 0):.1f}" for s in STAGES)
                + f" | {t['files']:,} | {t['rows']:,} | {t['files'] / r['wall']:,.1f} | "
                f"{t['rows'] / r['wall']:,.0f} | {r['peak_rss'] / 2**20:,.0f} |"
            )
    lines += [
        "",
        "Intake against the bare baseline (the same files read plainly, one bulk insert):",
        "",
        "| workload | files | baseline rows | baseline s | intake s | intake ÷ baseline |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for key, w in workloads.items():
        b = w["baseline"]
        intake = w["runs"][-1]["timing"]["seconds"]["intake"]
        ratio = intake / b["seconds"] if b["seconds"] else float("nan")
        lines.append(
            f"| {key} | {b['files']:,} | {b['rows']:,} | {b['seconds']:.2f} | {intake:.2f} | "
            f"{ratio:.1f} |"
        )
    short, long_ = workloads.get(plan.growth_short), workloads.get(plan.growth_long)
    if short and long_:
        a, b = short["runs"][-1], long_["runs"][-1]
        stages_a, stages_b = (sum(r["timing"]["seconds"].values()) for r in (a, b))
        lines += [
            "",
            "Growth check (the same month's run):",
            "",
            "| run | wall s | stages s |",
            "|---|---:|---:|",
            f"| {short['title']} | {a['wall']:.1f} | {stages_a:.1f} |",
            f"| {long_['title']} | {b['wall']:.1f} | {stages_b:.1f} |",
            "",
            f"Ratio long ÷ short: **{b['wall'] / a['wall']:.2f}** wall, "
            f"{stages_b / stages_a:.2f} stages (target ≤ {plan.growth_target}).",
        ]
    lines += ["", "| target | measured | met |", "|---|---:|---|"]
    for key, w in workloads.items():
        r = w["runs"][-1]
        if w["target_seconds"]:
            ok = r["wall"] <= w["target_seconds"]
            lines.append(
                f"| {key}: ≤ {w['target_seconds']:.0f} s | {r['wall']:.1f} s | "
                f"{'yes' if ok else '**no**'} |"
            )
        if w["target_rss_gib"]:
            ok = r["peak_rss"] <= w["target_rss_gib"] * GIB
            lines.append(
                f"| {key}: ≤ {w['target_rss_gib']:.0f} GiB peak RSS | "
                f"{r['peak_rss'] / GIB:.2f} GiB | {'yes' if ok else '**no**'} |"
            )
    return lines
