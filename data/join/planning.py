"""The plan (:func:`plan`): the lines file, each other file's key and whether it is aggregated per key,
and the person id (:class:`JoinPlan`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Sequence

from data import mapping as mapping_mod
from data.errors import IngestError
from data.schema import KINDS

from .sources import LINE, SourceFile, Sources
from .relations import Relation, _id_like, detect

_PERSON_NAME = re.compile(r"(?i)unique|person|people|member|user|会员|用户|个人")

_LINE_FIELDS = ("product_id", "product_name", "quantity", "unit_price", "amount")


@dataclass(frozen=True)
class Join:
    """``file`` joined to ``to`` (the base or a file joined before) on ``to.left = file.right``."""

    file: str
    to: str
    left: str
    right: str
    unique: bool        # one row of ``file`` per key value
    aggregate: bool     # several rows per key: aggregated per key before the join
    matched: int        # distinct key values of ``to`` found in ``file``
    left_keys: int      # distinct key values of ``to``

    @property
    def cardinality(self) -> str:
        """"one" when the joined file has one row per key, else "many".

        Returns
        -------
        str
            The cardinality.
        """
        return "one" if self.unique else "many"


@dataclass(frozen=True)
class JoinPlan:
    base: str
    joins: tuple[Join, ...]
    person: tuple[str, str] | None           # (file, column) of the person id, when a file has one
    files: tuple[SourceFile, ...]
    relations: tuple[Relation, ...] = field(default=())
    kind: str = "orders"

    @property
    def names(self) -> list[str]:
        """The files' names, in the plan's order.

        Returns
        -------
        list[str]
            The names.
        """
        return [f.name for f in self.files]

    def file(self, name: str) -> SourceFile:
        """The plan's file of this name.

        Parameters
        ----------
        name : str
            The file's name.

        Returns
        -------
        SourceFile
            The file.
        """
        return next(f for f in self.files if f.name == name)

    def role(self, name: str) -> str:
        """"lines" (the base), "lookup" (one row per key) or "aggregated" (several rows per key).

        Parameters
        ----------
        name : str
            The file's name.

        Returns
        -------
        str
            The role.
        """
        if name == self.base:
            return "lines"
        j = next(j for j in self.joins if j.file == name)
        return "aggregated" if j.aggregate else "lookup"

    def describe(self) -> list[str]:
        """The plan in plain English lines (the command line).

        Returns
        -------
        list[str]
            One line per file.
        """
        b = self.file(self.base)
        out = [f"lines: {b.name} ({b.rows:,} rows; one dataset line per row)"]
        for j in self.joins:
            f = self.file(j.file)
            how = (f"several rows per {j.right}: aggregated per {j.right} before the join" if j.aggregate
                   else f"one row per {j.right}")
            out.append(f"join {f.name} ({f.rows:,} rows) on {j.to}.{j.left} = {f.name}.{j.right}: {how}; "
                       f"{j.matched:,} of {j.left_keys:,} {j.left} values found")
        if self.person:
            out.append(f"customer: {self.person[1]} of {self.person[0]} (the person, not the order-scoped id)")
        return out

    def as_dict(self) -> dict:
        """The plan as a JSON-safe dict (the catalogue's record of a joined upload).

        Returns
        -------
        dict
            ``base``, ``person``, ``joins`` (file, to, left, right, one, aggregate, matched, left_keys).
        """
        return {"base": self.base, "person": list(self.person) if self.person else None,
                "joins": [{"file": j.file, "to": j.to, "left": j.left, "right": j.right, "one": j.unique,
                           "aggregate": j.aggregate, "matched": j.matched, "left_keys": j.left_keys} for j in self.joins]}


def _line_score(src: Sources, name: str, kind: str) -> int:
    cols = list(src.files[name].columns)
    sample = src.tables[name].drop(LINE).limit(300).to_pandas()
    sugg = mapping_mod.suggest_mapping(cols, kind, sample=sample)
    wanted = _LINE_FIELDS if kind == "orders" else KINDS[kind].field_names
    return sum(1 for f in wanted if f in sugg)


def plan(src: Sources, *, kind: str = "orders", base: str | None = None,
         keys: dict[str, tuple[str, str, str]] | None = None, aggregate: dict[str, bool] | None = None,
         relations: Sequence[Relation] | None = None) -> JoinPlan:
    """See :func:`_plan`; an IngestError raised carries ``join_files`` (the files, their rows and columns)
    so that a review can offer the choice of base and keys instead of only refusing.

    Parameters
    ----------
    src : Sources
        The files.
    kind : str
        The dataset kind.
    base : str | None
        The lines file, or None to detect it.
    keys : dict[str, tuple[str, str, str]] | None
        File -> (to_file, to_column, file_column), or None.
    aggregate : dict[str, bool] | None
        File -> aggregate per key, or None.
    relations : Sequence[Relation] | None
        The relations (None: :func:`detect`).

    Returns
    -------
    JoinPlan
        The plan.
    """
    try:
        return _plan(src, kind=kind, base=base, keys=keys, aggregate=aggregate, relations=relations)
    except IngestError as exc:
        exc.join_files = tuple(src.files.values())  # type: ignore[attr-defined]
        raise


def _plan(src: Sources, *, kind: str, base: str | None, keys: dict[str, tuple[str, str, str]] | None,
          aggregate: dict[str, bool] | None, relations: Sequence[Relation] | None) -> JoinPlan:
    """The join plan for the files in ``src``: detected, then changed by the user's choices.

    ``base``: the lines file; ``keys``: {file: (to_file, to_column, file_column)} keys chosen for a file;
    ``aggregate``: {file: bool} to aggregate a file per key or not. Raises IngestError (naming files and
    columns) for a file that cannot be joined, a key that shares no value, or a join that would repeat
    lines."""
    names = src.names
    if len(names) < 2:
        raise IngestError("a join needs at least two files", reason="one file")
    keys = dict(keys or {})
    aggregate = dict(aggregate or {})
    for f, (to, lc, rc) in keys.items():
        for n, c in ((f, rc), (to, lc)):
            if n not in src.files:
                raise IngestError(f"no file '{n}' in this upload; files: {', '.join(names)}", file=n, reason="unknown file")
            if c not in src.files[n].columns:
                raise IngestError(f"there is no column '{c}'; columns: {', '.join(src.files[n].columns)}", file=n,
                                  column=c, reason="unknown column")
    rels = list(relations) if relations is not None else detect(src)
    if base is not None and base not in src.files:
        raise IngestError(f"no file '{base}' in this upload; files: {', '.join(names)}", file=base, reason="unknown file")
    if base is None:
        many = {r.left for r in rels if not r.left_unique} | {r.right for r in rels if not r.right_unique}
        base = max(names, key=lambda n: (n in many, _line_score(src, n, kind), src.files[n].rows, -names.index(n)))
    # candidate edges: (to, to_column, file, file_column)
    edges: list[tuple[str, str, str, str]] = []
    for r in rels:
        edges.append((r.left, r.left_column, r.right, r.right_column))
        edges.append((r.right, r.right_column, r.left, r.left_column))
    joined = [base]
    joins: list[Join] = []
    todo = [n for n in names if n != base]
    while todo:
        choice = None
        for f in todo:
            if f in keys:
                to, lc, rc = keys[f]
                if to in joined:
                    choice = (f, to, lc, rc)
                    break
        if choice is None:
            cands = [(to, lc, f, rc) for to, lc, f, rc in edges if to in joined and f in todo and f not in keys]
            if cands:
                to, lc, f, rc = max(cands, key=lambda e: (src.unique(e[2], e[3]), -joined.index(e[0]),
                                                          -todo.index(e[2])))
                choice = (f, to, lc, rc)
        if choice is None:
            f = next((f for f in todo if f in keys), todo[0])
            if f in keys and keys[f][0] not in [*joined, *todo]:
                raise IngestError(f"'{keys[f][0]}' is not joined", file=f, reason="no shared key")
            cols = ", ".join(src.files[f].columns[:20])
            others = "; ".join(f"{n}: {', '.join(src.files[n].columns[:20])}" for n in joined)
            raise IngestError(
                f"this file shares no key with {', '.join(repr(n) for n in joined)}: no column of the same name whose "
                f"values they have in common (its columns: {cols}; {others}); remove it, or name the key "
                f"(--join FILE.COLUMN=FILE.COLUMN on the command line, the key picker on the Data page)",
                file=f, reason="no shared key")
        f, to, lc, rc = choice
        one = src.unique(f, rc)
        agg = aggregate.get(f, not one)
        n_left = src.stats(to, lc)[1]
        m = src.matched(to, lc, f, rc)
        if m == 0:
            raise IngestError(f"no value of {to}.{lc} is found in {f}.{rc}: these columns do not relate the files; "
                              "pick another key", file=f, column=rc, reason="no shared key")
        if not one and not agg:
            n_rep, example = src.repeated(f, rc)
            raise IngestError(
                f"joining on {to}.{lc} = {f}.{rc} would repeat lines of {to}: {n_rep:,} values of {rc} occur on more "
                f"than one row of {f} (e.g. '{example}'); aggregate {f} per {rc} or pick a key unique in {f}",
                file=f, column=rc, reason="many-to-many join")
        joins.append(Join(file=f, to=to, left=lc, right=rc, unique=one, aggregate=agg, matched=m, left_keys=n_left))
        joined.append(f)
        todo.remove(f)
    result = JoinPlan(base=base, joins=tuple(joins), person=None, files=tuple(src.files[n] for n in names),
                      relations=tuple(rels), kind=kind)
    return replace(result, person=_person(src, result))


def _person(src: Sources, p: JoinPlan) -> tuple[str, str] | None:
    """A person id in a file joined one-per-key on a customer key (Olist's customer_unique_id beside the
    order-scoped customer_id): an id-like column named like a person, fewer distinct values than keys."""
    for j in p.joins:
        if j.aggregate or "customer_id" not in mapping_mod.suggest_mapping([j.right], "orders"):
            continue
        keys_n = src.stats(j.file, j.right)[1]
        for c in src.files[j.file].columns:
            if c == j.right or not _id_like(c) or not _PERSON_NAME.search(c):
                continue
            n, d = src.stats(j.file, c)
            if n and d <= keys_n:
                return (j.file, c)
    return None
