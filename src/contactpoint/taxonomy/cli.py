"""`contactpoint taxonomy show`: print the classification."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

import contactpoint.taxonomy.service as taxonomy

app = typer.Typer(
    help="The classification: categories, incident types, offences.", no_args_is_help=True
)
console = Console()


@app.command("show")
def show(
    lang: str = typer.Option("en", help="Language of the labels (en, fr, de)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of tables."),
) -> None:
    """Print the categories, incident types (RSIT / Common Taxonomy), crime kinds, offences."""
    data = taxonomy.as_dict(lang)
    if as_json:
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    for cat in data["categories"]:
        table = Table(title=f"{cat['id']}: {cat['label']}")
        for col in ("incident type", "RSIT", "Common Taxonomy"):
            table.add_column(col)
        for it in cat["incident_types"]:
            table.add_row(it["id"], it["rsit"], it["common_taxonomy"])
        console.print(table)
    kinds = Table(title="Crime kinds (public form)")
    for col in ("id", "label", "category", "incident type", "offence"):
        kinds.add_column(col)
    for k in data["crime_kinds"]:
        kinds.add_row(k["id"], k["label"], k["category"], k["incident_type"], k["offence"] or "")
    console.print(kinds)
    offences = Table(title="Offences")
    for col in ("code", "title", "source", "check"):
        offences.add_column(col)
    for o in data["offences"]:
        offences.add_row(o["code"], o["title"], o["citation"], "check" if o["check"] else "")
    console.print(offences)
