"""The `dalil_dev` commands: eval, trace-eval, fit, calibrate.  Errors are one line on stderr, as in `dalil`."""
from __future__ import annotations

import json
import os
from pathlib import Path

import click

from dalil import Archive

db_option = click.option("--db", "db", default=None, metavar="FILE",
                         help="Archive file (default: $DALIL_DB, then ./dalil.db).")


def open_archive(db: str | None) -> Archive:
    """The archive at `db` (default: $DALIL_DB, then ./dalil.db); it must exist."""
    path = db or os.environ.get("DALIL_DB") or "dalil.db"
    if not os.path.exists(path):
        raise click.ClickException(f"no archive at {path} (run `dalil ingest PATH --db {path}` first)")
    return Archive(path)


def emit_json(data) -> None:
    """`data` as the indented JSON `dalil --json` prints."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """dalil-dev: evaluation and fitting on the development sets (python -m tools.dalil_dev)."""


@main.command("eval")
@db_option
@click.option("--set", "which", type=click.Choice(["queries", "claims", "both"]), default="both",
              show_default=True)
@click.option("--mode", type=click.Choice(["lexical", "dense", "hybrid", "all"]), default="all",
              show_default=True)
@click.option("--eval-dir", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Folder of queries-dev.jsonl and claims-dev.jsonl (required unless --items).")
@click.option("--items", "items_file", type=click.Path(exists=True, dir_okay=False), default=None,
              help="A JSON-lines file of one's own items (id, lang, query, gold_doc_ids) scored "
                   "instead of the development sets, e.g. eval/other-languages.jsonl.")
@click.option("--limit-docs", type=click.IntRange(10, 1000), default=100, show_default=True,
              help="Ranked documents kept per item (MRR is 0 beyond them).")
@click.option("--json", "as_json", is_flag=True)
def eval_command(db, which, mode, eval_dir, items_file, limit_docs, as_json):
    """Recall@1/5/10, hit@k and MRR by language on the development sets (or --items FILE)."""
    from tools.dalil_dev.search_eval import evaluate, format_report, load_items, load_items_file
    if eval_dir is None and items_file is None:
        raise click.UsageError("give --eval-dir DIR (the development sets) or --items FILE")
    archive = open_archive(db)
    modes = ["lexical", "dense", "hybrid"] if mode == "all" else [mode]
    if not archive.vectors.exists():
        modes = [m for m in modes if m == "lexical"]
        if not modes:
            raise click.ClickException("no vectors for this archive: run `dalil index` first")
    try:
        items = load_items_file(items_file) if items_file else load_items(eval_dir, which)
    except ValueError as e:
        raise click.ClickException(str(e))
    report = evaluate(archive, items, modes, depth=limit_docs)
    if as_json:
        emit_json(report)
    else:
        click.echo(format_report(report))


@main.command("trace-eval")
@db_option
@click.option("--eval-dir", type=click.Path(exists=True, file_okay=False, path_type=Path), required=True,
              help="Folder with claims-dev.jsonl.")
@click.option("--limit", type=int, default=None, help="Score only the first N claims.")
@click.option("--every", type=int, default=1, help="Score every N-th claim (a quick, spread-out subset).")
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="Also write the scores as JSON here.")
@click.option("--split", "split_file", type=click.Path(exists=True, dir_okay=False), default=None,
              help="A split file (eval/claims-split.json): score only the claims of --half.")
@click.option("--half", type=click.Choice(["tuning", "validation"]), default="validation",
              help="Which half of --split to score.")
@click.option("--items", "items_file", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Score the claims of this JSON-lines file (e.g. claims-tuning.jsonl) instead of claims-dev.jsonl.")
def trace_eval_command(db, eval_dir, limit, every, out, split_file, half, items_file):
    """Score claim tracing on the development claims: source recall, verdict accuracy and macro-F1."""
    from tools.dalil_dev.trace_eval import evaluate, format_table, load_claims, load_claims_file, split_ids
    claims = load_claims_file(items_file) if items_file else load_claims(eval_dir)
    if split_file:
        keep = split_ids(split_file, half)
        claims = [c for c in claims if c["id"] in keep]
    claims = claims[::every][:limit]
    scores = evaluate(open_archive(db), claims)
    click.echo(format_table(scores))
    if out:
        with open(out, "w", encoding="utf-8") as fh:
            json.dump(scores, fh, indent=2)


@main.command("fit")
@click.argument("scores", type=click.Path(exists=True, dir_okay=False))
@click.option("--write", is_flag=True, help="Store the thresholds fitted on all claims.")
def fit_command(scores, write):
    """Refit the verdict thresholds on SCORES (the JSON `trace-eval --out` writes, or JSON lines
    of its items) and print the 5-fold cross-validated figure."""
    from tools.dalil_dev.fit import load_items, report
    click.echo(report(load_items(scores), write=write))


@main.command("calibrate")
@click.argument("scores", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--report", "report_files", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Also score these held-out traced claims (trace-eval --out) with the fitted table.")
@click.option("--write", is_flag=True, help="Store the calibration fitted on SCORES in the verdict model.")
def calibrate_command(scores, report_files, write):
    """Fit the confidence calibration on SCORES (trace-eval --out files of held-out claims) and
    print reliability tables: cross-validated on SCORES, and on each --report file."""
    from dalil.trace.verdict import REVIEW_BELOW
    from tools.dalil_dev.calibrate import report
    from tools.dalil_dev.fit import load_items
    items = [i for path in scores for i in load_items(path)]
    sets = {path: load_items(path) for path in report_files}
    click.echo(report(items, sets, REVIEW_BELOW, write=write))


@main.command("predicate-pairs")
@db_option
@click.option("--docs", type=int, default=300, help="How many corpus sentences to draw (one per document).")
@click.option("--seed", type=int, default=20261207, help="Seed of the draw.")
@click.option("--budget", type=float, default=1200.0, help="Stop drawing after this many seconds.")
@click.argument("out", type=click.Path(dir_okay=False))
def predicate_pairs_command(db, docs, seed, budget, out):
    """Make predicate pairs from corpus sentences (stated, slot changed, absent) into OUT (JSON lines)."""
    from tools.dalil_dev.predicate_pairs import make_pairs
    n = make_pairs(open_archive(db), docs, seed, Path(out), budget)
    click.echo(f"{n} pairs written to {out}")


@main.command("predicate-fit")
@click.argument("pairs", type=click.Path(exists=True, dir_okay=False))
@click.option("--write", is_flag=True, help="Store the weights under 'predicate' in the verdict model.")
def predicate_fit_command(pairs, write):
    """Fit P(a passage states the claim's predicate) on PAIRS and print its cross-validated quality."""
    from dalil.trace.verdict import MODEL_PATH
    from tools.dalil_dev.predicate_pairs import fit_pairs
    fitted = fit_pairs(Path(pairs))
    click.echo(json.dumps(fitted, indent=2))
    if write:
        m = json.loads(MODEL_PATH.read_text())
        m["predicate"] = {**m.get("predicate", {}), **fitted}
        MODEL_PATH.write_text(json.dumps(m, indent=1) + "\n")


@main.command("predicate-floors")
@click.argument("scores", type=click.Path(exists=True, dir_okay=False))
@click.option("--split", "split_file", type=click.Path(exists=True, dir_okay=False), required=True,
              help="The split file: the floors are fitted on its tuning half only.")
@click.option("--report", "report_files", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Also score these held-out traced claims (trace-eval --out).")
@click.option("--extra-tuning", "extra_files", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Traced claims pooled with the tuning half to fit the review cut (e.g. claims-tuning.jsonl's).")
@click.option("--write", is_flag=True, help="Store the floors and the review cut in the verdict model.")
def predicate_floors_command(scores, split_file, report_files, extra_files, write):
    """Fit the verdict's floors on the predicate probability (not_found below one, partly_supported
    below the other when a core fact is missing) on the tuning half of SCORES (trace-eval --out of
    every development claim); print the validation half and each --report file without and with them."""
    from dalil.trace.verdict import MODEL_PATH, model
    from tools.dalil_dev.fit import load_items
    from tools.dalil_dev.predicate_pairs import NEEDS_MISSING, fit_review_cut, floors_report, review_report
    from tools.dalil_dev.trace_eval import split_ids
    items = load_items(scores)
    tuning_ids, validation_ids = split_ids(split_file, "tuning"), split_ids(split_file, "validation")
    held = {"validation half": [i for i in items if i["id"] in validation_ids]}
    held.update({path: load_items(path) for path in report_files})
    tuning = [i for i in items if i["id"] in tuning_ids]
    text, (a, b) = floors_report(tuning, held, model())
    click.echo(text)
    pool = tuning + [i for path in extra_files for i in load_items(path)]
    m = {**model(), "thresholds": {**model()["thresholds"], "min_stated": a, "partly_stated": b}}
    cut, table = fit_review_cut(pool, m)
    click.echo(f"review cut fitted on {len(pool)} claims (cross-validated Brier by cut: {table}): {cut}")
    for line in review_report({"tuning pool": pool, **held}, m, cut):
        click.echo(line)
    if write:
        m = json.loads(MODEL_PATH.read_text())
        m["thresholds"].update(min_stated=a, partly_stated=b, review_stated=cut,
                               unstated_needs_missing_fact=NEEDS_MISSING)
        m["predicate"]["floors_fitted_on"] = f"tuning half of {Path(split_file).name} ({len(tuning_ids)} claims)"
        m["predicate"]["review_cut_fitted_on"] = (f"tuning half + {', '.join(Path(p).name for p in extra_files)} "
                                                  f"({len(pool)} claims), cross-validated Brier")
        MODEL_PATH.write_text(json.dumps(m, indent=1) + "\n")
