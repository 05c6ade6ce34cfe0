"""Locations of the project's data: ontology, shapes, queries and curated vocabularies."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def data_path(*parts: str) -> Path:
    return ROOT.joinpath("data", *parts)


def ontology_path(*parts: str) -> Path:
    return ROOT.joinpath("ontology", *parts)


def shapes_path(*parts: str) -> Path:
    return ROOT.joinpath("shapes", *parts)


def queries_path(*parts: str) -> Path:
    return ROOT.joinpath("queries", *parts)
