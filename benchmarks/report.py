"""The benchmark report: JSON on disk, a table on stdout, and the flatness check across tiers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

REPORTS = Path(__file__).resolve().parent / "reports"
FLAT_LIMIT = 1.5  # p50 at a bigger tier over p50 at S
FLAT_OPERATIONS = ("list.", "single_view.", "page.")


def report_path(tier: str, db: str, folder: Path = REPORTS, part: str | None = None) -> Path:
    return folder / (f"{tier}-{db}-{part}.json" if part else f"{tier}-{db}.json")


def write(report: dict[str, Any], folder: Path = REPORTS) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = report_path(report["tier"], report["db"], folder, report.get("part"))
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def load(tier: str, db: str, folder: Path = REPORTS) -> dict[str, Any] | None:
    path = report_path(tier, db, folder)
    if not path.exists():
        return None
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data


def flatness(current: dict[str, Any], baseline: dict[str, Any] | None) -> dict[str, Any] | None:
    """p50 ratios of the list and single view between this tier and tier S (target <= 1.5)."""
    if baseline is None or baseline.get("tier") == current.get("tier"):
        return None
    ratios: dict[str, float] = {}
    for name, now in current["operations"].items():
        before = baseline.get("operations", {}).get(name, {})
        if "p50_ms" in now and before.get("p50_ms"):
            ratios[name] = round(now["p50_ms"] / before["p50_ms"], 2)
    checked = {k: v for k, v in ratios.items() if k.startswith(FLAT_OPERATIONS)}
    return {
        "baseline": f"{baseline['tier']}-{baseline['db']}",
        "ratios": ratios,
        "target": f"list and single view p50 {current['tier']}/{baseline['tier']} <= {FLAT_LIMIT}",
        "ok": all(v <= FLAT_LIMIT for v in checked.values()) if checked else None,
    }


def _fmt(value: Any, spec: str = ".2f") -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "ok" if value else "MISS"
    if isinstance(value, float):
        return format(value, spec)
    return str(value)


def table(report: dict[str, Any]) -> str:
    lines = [
        f"Rapport benchmark, tier {report['tier']} on {report['db']}: {report['customers']:,} customers, "
        f"{report['orders']:,} orders, {report['interactions']:,} interactions",
        "",
    ]
    seed = report["seed"]
    anchor = seed.get("anchor") or {}
    lines.append(
        f"seeding: {seed['rows']:,} rows in {seed['seconds']:.1f} s = {seed['rows_per_s']:,} rows/s "
        f"({seed['customers_per_s']:,} customers/s){'' if seed['measured_this_run'] else ' [earlier run]'}"
    )
    if anchor:
        lines.append(
            f"  raw anchor ({anchor['method']}): {anchor['rows']:,} rows in {anchor['seconds']:.2f} s = "
            f"{anchor['rows_per_s']:,} rows/s; ratio {_fmt(seed.get('ratio'))} (target >= 0.5: "
            f"{_fmt(seed.get('ok'))})"
        )
    lines.append("")
    header = f"{'operation':<22}{'p50 ms':>9}{'p95 ms':>9}{'raw p50':>9}{'raw p95':>9}{'ratio':>7}{'diff':>8}" \
             f"{'cold p50':>10}{'queries':>9}  target"
    lines += [header, "-" * len(header)]
    for name, op in report["operations"].items():
        if "skipped" in op:
            lines.append(f"{name:<22}  {op['skipped']}")
            continue
        queries = op.get("queries")
        if op.get("queries_max") is not None:
            queries = f"{op['queries']}/{op['queries_max']}"
        lines.append(
            f"{name:<22}{_fmt(op['p50_ms']):>9}{_fmt(op['p95_ms']):>9}{_fmt(op['anchor_p50_ms']):>9}"
            f"{_fmt(op['anchor_p95_ms']):>9}{_fmt(op['ratio'], '.1f'):>7}{_fmt(op['diff_ms']):>8}"
            f"{_fmt(op.get('cold_p50_ms')):>10}{_fmt(queries):>9}  {_fmt(op.get('ok')) if 'ok' in op else ''}"
        )
    checks = report.get("checks", {})
    lines.append("")
    lines.append("p50/p95: steady state (every sample touched once before timing); cold p50: that first touch.")
    lines.append("single view queries (median/max): target <= 5 at every tier: "
                 f"{_fmt(checks.get('single_view_queries_ok'))}")
    flat = report.get("flatness")
    if flat:
        parts = ", ".join(f"{k} {v:.2f}" for k, v in flat["ratios"].items())
        lines.append(f"flatness {report['tier']}/{flat['baseline']}: {parts}  ({flat['target']}: {_fmt(flat['ok'])})")
    dedupe = report.get("dedupe")
    if dedupe:
        lines.append(
            f"duplicates: {dedupe['records']:,} synthetic customers in {dedupe['seconds']:.1f} s (target < "
            f"{dedupe['target_seconds']:.0f} s), precision {dedupe['precision']:.3f}, recall {dedupe['recall']:.3f} "
            f"(goal >= 0.95 each): {_fmt(dedupe.get('ok'))}"
        )
    imports = report.get("imports")
    if imports:
        lines.append(
            f"imports: {imports['rows']:,} customer rows at {imports['rows_per_s']:,} rows/s vs raw insert "
            f"{imports['anchor_rows_per_s']:,} rows/s: ratio {_fmt(imports.get('ratio'))} (target >= 0.5: "
            f"{_fmt(imports.get('ok'))})"
        )
    lines += analytics_lines(report)
    return "\n".join(lines)


def analytics_lines(report: dict[str, Any]) -> list[str]:
    analytics = report.get("analytics")
    if not analytics:
        return []
    lines: list[str] = []
    step, fit = analytics["read_out_and_summarise"], analytics["bgnbd_vs_lifetimes"]
    for label, key in (("analytics run as of the day before", "run_day_before"), ("nightly analytics run", "run")):
        run = analytics.get(key)
        if not run:
            continue
        lines.append(
            f"{label} ({run['as_of']}): {run['customers']:,} customers from {run['orders']:,} orders, "
            f"{run.get('lifecycle_changes', 0):,} stage moves, in {run['seconds']:.1f} s "
            f"(target < 60 s: {_fmt(run.get('ok'))}); "
            + ", ".join(f"{k} {v:.1f}" for k, v in run.get("steps", {}).items())
        )
    lines.append(
        f"  read out + summarise {step['read_and_summarise_seconds']:.2f} s (median of 3) vs DuckDB on its own table "
        f"{step['duckdb_seconds']:.2f} s: ratio {_fmt(step.get('ratio'))} (target <= 3: {_fmt(step.get('ok'))})"
    )
    if "skipped" in fit:
        lines.append(f"  BG/NBD vs lifetimes: not measured ({fit['skipped']})")
    else:
        lines.append(
            f"  BG/NBD fit {fit['ours_seconds']:.2f} s vs lifetimes {fit['lifetimes_seconds']:.2f} s on the same "
            f"{fit['customers']:,} customers, same estimates to 4 significant figures: "
            f"{_fmt(fit['same_4_significant'])} (CDNOW: {_fmt(fit['cdnow']['same_4_significant'])}); "
            + (f"lifetimes needed a second start ({', '.join(fit['lifetimes_starts'])}); "
               if len(fit.get("lifetimes_starts", [])) > 1 else "") +
            f"target: {_fmt(fit.get('ok'))}"
        )
    return lines
