#!/usr/bin/env python3
"""Builds Tools/bench/results/latest.{json,md} from the runs Tools/bench/run recorded.

Input: a JSON file of {"machine": {...}, "settings": {...}, "workloads": [{"name", "events",
"target_eps", "target_rss_mb", "muster": {...result line..., "peak_rss_kb": N}, "peer": {...}}]}.
"""
import json
import sys


def fmt_rate(x):  # type: ignore[no-untyped-def]
    return "—" if x is None else f"{x:,.0f}"


def fmt_mb(kb):  # type: ignore[no-untyped-def]
    return "—" if kb is None or kb < 0 else f"{kb / 1024:,.0f} MB"


def ratio(a, b):  # type: ignore[no-untyped-def]
    return None if not a or not b else a / b


def fmt_ratio(r):  # type: ignore[no-untyped-def]
    return "—" if r is None else f"{r:.2f}×"


def main() -> None:
    raw_path, json_out, md_out = sys.argv[1:4]
    with open(raw_path) as f:
        run = json.load(f)

    rows = []
    for w in run["workloads"]:
        m, p = w.get("muster") or {}, w.get("peer") or {}
        m_eps, p_eps = m.get("events_per_second"), p.get("events_per_second")
        target = w.get("target_eps")
        m_rss = m.get("peak_rss_kb")
        rss_target = w.get("target_rss_mb")
        w["ratio_muster_to_peer"] = ratio(m_eps, p_eps)
        w["ratio_muster_to_target"] = ratio(m_eps, target)
        w["meets_target"] = (m_eps is not None and (target is None or m_eps >= target)
                             and (rss_target is None or (m_rss is not None and m_rss < rss_target * 1024)))
        rows.append(w)

    with open(json_out, "w") as f:
        json.dump(run, f, indent=2)
        f.write("\n")

    mach, settings = run["machine"], run["settings"]
    lines = [
        "# Muster benchmarks",
        "",
        f"Run {run['started_at']} ({'quick' if settings.get('quick') else 'full'} run), "
        f"commit `{run.get('commit', '?')}`.",
        "",
        f"Machine: {mach['nproc']} cores, {mach['cpu_model']}, {mach['memory']} RAM; "
        f"temp dirs on {mach['tmp_fs']}; {mach['swift']}; Python {mach['python']}, "
        f"eventsourcing {mach['eventsourcing']}, SQLite {mach['sqlite']}.",
        "",
        "| workload | events | Muster events/s | peer events/s | Muster / peer | target events/s | Muster / target "
        "| Muster peak RSS | peer peak RSS | RSS target | meets target |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|",
    ]
    for w in rows:
        m, p = w.get("muster") or {}, w.get("peer") or {}
        lines.append(
            f"| {w['name']} | {w['events']:,} | {fmt_rate(m.get('events_per_second'))} | {fmt_rate(p.get('events_per_second'))} "
            f"| {fmt_ratio(w['ratio_muster_to_peer'])} | {fmt_rate(w.get('target_eps'))} | {fmt_ratio(w['ratio_muster_to_target'])} "
            f"| {fmt_mb(m.get('peak_rss_kb'))} | {fmt_mb(p.get('peak_rss_kb'))} "
            f"| {'< %d MB' % w['target_rss_mb'] if w.get('target_rss_mb') else '—'} | {'yes' if w['meets_target'] else 'NO'} |")
    lines += ["", "Peak RSS is `/usr/bin/time -v`'s maximum resident set size of the whole process, except where a workload measures its own phase (`peak_rss_kb_phase`: for replay and the audit, the child process's own maximum, from `/usr/bin/time -f %M` around the command; replay's `in_process_peak_rss_kb` is VmHWM reset after the untimed setup).", "",
              "## Details", ""]
    for w in rows:
        lines.append(f"### {w['name']}")
        lines.append("")
        if w.get("description"):
            lines += [w["description"], ""]
        for impl in ("muster", "peer"):
            r = w.get(impl)
            if r:
                extras = {k: v for k, v in r.items() if k not in ("workload", "events")}
                lines.append(f"- **{impl}**: " + ", ".join(f"{k}={v}" for k, v in extras.items()))
        lines.append("")
    with open(md_out, "w") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    main()
