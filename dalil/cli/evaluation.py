"""`dalil eval` and `dalil trace-eval`: scoring on the development sets.  Development tooling kept
in one module until it moves out of the installed package with the evaluation code."""
from __future__ import annotations

import click

from dalil.cli.common import db_option, emit_json, open_archive


@click.command("eval")
@db_option
@click.option("--set", "which", type=click.Choice(["queries", "claims", "both"]), default="both",
              show_default=True)
@click.option("--mode", type=click.Choice(["lexical", "dense", "hybrid", "all"]), default="all",
              show_default=True)
@click.option("--eval-dir", type=click.Path(exists=True, file_okay=False), default=None,
              help="Folder of queries-dev.jsonl and claims-dev.jsonl (default: $DALIL_EVAL, "
                   "then ../shared/eval beside the repository).")
@click.option("--items", "items_file", type=click.Path(exists=True, dir_okay=False), default=None,
              help="A JSON-lines file of one's own items (id, lang, query, gold_doc_ids) scored "
                   "instead of the development sets, e.g. eval/other-languages.jsonl.")
@click.option("--limit-docs", type=click.IntRange(10, 1000), default=100, show_default=True,
              help="Ranked documents kept per item (MRR is 0 beyond them).")
@click.option("--json", "as_json", is_flag=True)
def eval_command(db, which, mode, eval_dir, items_file, limit_docs, as_json):
    """Recall@1/5/10, hit@k and MRR by language on the development sets (or --items FILE)."""
    from dalil.search.evaluate import default_eval_dir, evaluate, format_report, load_items, load_items_file
    archive = open_archive(db)
    modes = ["lexical", "dense", "hybrid"] if mode == "all" else [mode]
    if not archive.has_vectors():
        modes = [m for m in modes if m == "lexical"]
        if not modes:
            raise click.ClickException("no vectors for this archive: run `dalil index` first")
    try:
        items = load_items_file(items_file) if items_file else load_items(eval_dir or default_eval_dir(), which)
    except ValueError as e:
        raise click.ClickException(str(e))
    report = evaluate(archive, items, modes, depth=limit_docs)
    if as_json:
        emit_json(report)
    else:
        click.echo(format_report(report))


@click.command("trace-eval")
@db_option
@click.option("--eval-dir", default=None, help="Folder with claims-dev.jsonl (default: ../shared/eval).")
@click.option("--limit", type=int, default=None, help="Score only the first N claims.")
@click.option("--every", type=int, default=1, help="Score every N-th claim (a quick, spread-out subset).")
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="Also write the scores as JSON here.")
def trace_eval_cmd(db, eval_dir, limit, every, out):
    """Score claim tracing on the development claims: source recall, verdict accuracy and macro-F1."""
    import json

    from dalil.trace.evaluate import evaluate, format_table, load_claims
    claims = load_claims(eval_dir)[::every][:limit]
    scores = evaluate(open_archive(db), claims)
    click.echo(format_table(scores))
    if out:
        with open(out, "w", encoding="utf-8") as fh:
            json.dump(scores, fh, indent=2)
