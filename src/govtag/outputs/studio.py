"""Label Studio server I/O: push reports with pre-annotations, pull validated annotations.

The annotation loop is::

    govtag ls push --project TITLE --rules reports/        # or --model DIR
    (annotators correct the pre-annotations in Label Studio)
    govtag ls pull --project TITLE -o annotations/round1.json
    govtag train ... annotations/round1.json ...
    govtag ls select 20 --model DIR -o next.tsv reports/   # least confident reports first

Everything goes through the current SDK client ``label_studio_sdk.LabelStudio`` (not the legacy
``label_studio_sdk.Client``). The server address and API key come from the arguments or from
the environment variables ``LABEL_STUDIO_URL`` and ``LABEL_STUDIO_API_KEY``; the key never shows
in a message, even when the server echoes it.

Tasks are ``{"data": {"text", "doc_id"}}`` with the predicted spans as one prediction whose result
items are exactly :func:`govtag.core.labelstudio.document_results`. Pulled exports are checked with
:func:`govtag.core.labelstudio.parse_tasks` (offsets, ``value.text``, labels, overlaps); a task that has
no annotation yet is reported as rejected with the reason "not annotated", never dropped silently.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from govtag.core.errors import GovtagError, UsageError, keep_secret, redact
from govtag.core.labels import AnnotationError, Document, check_document
from govtag.core.labelstudio import Rejected, document_to_task, labeling_config, parse_tasks

if TYPE_CHECKING:  # the SDK is imported lazily: `import govtag.outputs.studio` stays cheap
    from label_studio_sdk import LabelStudio

ENV_URL = "LABEL_STUDIO_URL"
ENV_API_KEY = "LABEL_STUDIO_API_KEY"
NOT_ANNOTATED = "not annotated"
DEFAULT_TIMEOUT_S = 60.0
IMPORT_BATCH = 50


class StudioError(GovtagError, RuntimeError):
    """A Label Studio server operation cannot be done; the message says why."""


@dataclass
class PushResult:
    """What ``push`` did: the project, whether it was created, tasks created and skipped."""

    project_id: int
    project_created: bool
    created: int = 0
    skipped: int = 0
    skipped_ids: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- connection


def connect(url: str | None = None, api_key: str | None = None,
            timeout: float = DEFAULT_TIMEOUT_S) -> "LabelStudio":
    """A client for the server at ``url`` (default ``$LABEL_STUDIO_URL``) with ``api_key``.

    ``api_key`` (default ``$LABEL_STUDIO_API_KEY``) is either a personal access token (a JWT
    refresh token, the default kind in Label Studio >= 1.15) or a legacy token; the SDK tells them
    apart. A legacy token only works when the organisation allows legacy tokens (start the server
    with ``LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN=true`` or enable it under Organization > API Tokens
    Settings). Every request times out after ``timeout`` seconds.
    """
    url = url or os.environ.get(ENV_URL)
    api_key = api_key or os.environ.get(ENV_API_KEY)
    missing = [name for name, value in ((f"--url or ${ENV_URL}", url),
                                        (f"--api-key or ${ENV_API_KEY}", api_key)) if not value]
    if missing:
        raise StudioError(
            "no Label Studio server given: set " + " and ".join(missing)
            + " (the API key is under Account & Settings > Personal Access Token)")
    from label_studio_sdk import LabelStudio  # the SDK is large: only when a server is used

    keep_secret(api_key)
    try:
        return LabelStudio(base_url=url.rstrip("/"), api_key=api_key, timeout=timeout)
    except Exception as err:  # the SDK rejects expired or malformed JWT keys here
        raise StudioError(f"cannot use the API key for {url}: {_describe(err)}") from err


def _describe(err: Exception) -> str:
    """A one-line reason for an SDK or HTTP error, tokens redacted (a server may echo the
    request's ``Authorization`` header)."""
    return redact(_reason(err))


def _reason(err: Exception) -> str:
    status = getattr(err, "status_code", None)
    body = getattr(err, "body", None)
    if status is not None:
        detail = body.get("detail") if isinstance(body, dict) else body
        if isinstance(body, dict) and body.get("validation_errors"):
            detail = f"{detail} {body['validation_errors']}"
        hint = ""
        if status == 401:
            hint = " (wrong or expired API key, or a legacy token while legacy tokens are disabled)"
        elif status == 404:
            hint = " (no such project or task)"
        return f"HTTP {status}: {detail}{hint}"
    return f"{type(err).__name__}: {err}"


def _call(what: str, fn, *args, **kwargs):
    """Run an SDK call, turning transport and API errors into StudioError naming ``what``."""
    try:
        return fn(*args, **kwargs)
    except StudioError:
        raise
    except Exception as err:
        raise StudioError(f"{what} failed: {_describe(err)}") from err


# --------------------------------------------------------------------------- projects


def find_project(client: "LabelStudio", title: str) -> int | None:
    """Id of the project titled exactly ``title`` (the oldest if several), or None."""
    projects = _call(f"listing projects titled {title!r}",
                     lambda: [p for p in client.projects.list(title=title, page_size=100)])
    ids = sorted(p.id for p in projects if p.title == title)
    return ids[0] if ids else None


def resolve_project(client: "LabelStudio", project: str | int) -> int:
    """Project id from an id (int or all-digit string) or an exact title; StudioError if none."""
    if isinstance(project, int) or (isinstance(project, str) and project.isdigit()):
        project_id = int(project)
        _call(f"getting project {project_id}", client.projects.get, project_id)
        return project_id
    project_id = find_project(client, project)
    if project_id is None:
        raise StudioError(f"no Label Studio project titled {project!r}")
    return project_id


def ensure_project(client: "LabelStudio", title: str) -> tuple[int, bool]:
    """(id, created) of the project titled ``title``, created with :func:`labeling_config`.

    A reused project must have the same labeling config, else annotators would work with labels
    that ``pull`` rejects; StudioError says so.
    """
    config = labeling_config()
    project_id = find_project(client, title)
    if project_id is None:
        project = _call(f"creating project {title!r}", client.projects.create,
                        title=title, label_config=config,
                        description="govtag: section roles (成绩/问题/计划) and quantities",
                        show_collab_predictions=True)
        return project.id, True
    project = _call(f"getting project {project_id}", client.projects.get, project_id)
    if _squash(project.label_config or "") != _squash(config):
        raise StudioError(
            f"project {title!r} (id {project_id}) has a different labeling config than "
            "govtag.core.labelstudio.labeling_config(); use another title or update the project's "
            "config to annotations/labeling_config.xml")
    return project_id, False


def _squash(xml: str) -> str:
    return "".join(xml.split())


def project_doc_ids(client: "LabelStudio", project_id: int) -> set[str]:
    """doc_id of every task in the project (tasks without one are ignored)."""
    tasks = _call(f"listing tasks of project {project_id}",
                  lambda: list(client.tasks.list(project=project_id, fields="task_only",
                                                 page_size=100)))
    ids = set()
    for task in tasks:
        data = task.data if isinstance(task.data, dict) else {}
        if data.get("doc_id") is not None:
            ids.add(str(data["doc_id"]))
    return ids


# --------------------------------------------------------------------------- push / pull


def push(client: "LabelStudio", project_title: str, docs_with_predictions: list[Document],
         model_version: str, batch_size: int = IMPORT_BATCH) -> PushResult:
    """Import documents as tasks with their spans as a prediction (pre-annotation).

    The project titled ``project_title`` is created with :func:`labeling_config` when missing and
    reused otherwise. A document whose ``doc_id`` is already in the project (or repeated in
    ``docs_with_predictions``) is skipped, so pushing the same reports twice creates nothing.
    Every document is checked first (labels, offsets, overlaps); a bad one stops the push before
    anything is imported.
    """
    for doc in docs_with_predictions:
        if not doc.doc_id:
            raise StudioError("a document has an empty doc_id")
        try:
            check_document(doc)
        except AnnotationError as err:
            raise StudioError(f"{doc.doc_id}: prediction breaks the annotation contract: {err}") \
                from err
    project_id, created_project = ensure_project(client, project_title)
    result = PushResult(project_id, created_project)
    seen = project_doc_ids(client, project_id)
    tasks = []
    for doc in docs_with_predictions:
        if doc.doc_id in seen:
            result.skipped += 1
            result.skipped_ids.append(doc.doc_id)
            continue
        seen.add(doc.doc_id)
        tasks.append(document_to_task(doc, as_prediction=True, model_version=model_version))
    for first in range(0, len(tasks), max(1, batch_size)):
        batch = tasks[first:first + max(1, batch_size)]
        response = _call(f"importing {len(batch)} task(s) into project {project_id}",
                         client.projects.import_tasks, project_id, request=batch)
        imported = getattr(response, "task_count", None)
        if imported is not None and imported != len(batch):
            raise StudioError(f"project {project_id}: sent {len(batch)} task(s) but the server "
                              f"imported {imported}")
        result.created += len(batch)
    return result


def export_tasks(client: "LabelStudio", project_id: int) -> list[dict]:
    """All tasks of a project (annotated or not) as Label Studio JSON export dicts."""
    def download() -> bytes:
        return b"".join(client.projects.exports.download_sync(
            project_id, export_type="JSON", download_all_tasks=True))

    data = _call(f"exporting project {project_id}", download)
    try:
        tasks = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise StudioError(f"project {project_id}: export is not JSON ({err})") from err
    if not isinstance(tasks, list):
        raise StudioError(f"project {project_id}: export is not a list of tasks")
    return tasks


def _usable_annotations(task: dict) -> list[dict]:
    entries = task.get("annotations")
    if not isinstance(entries, list):
        return []
    return [e for e in entries if isinstance(e, dict) and not e.get("was_cancelled")]


def pull(client: "LabelStudio", project: str | int) -> tuple[list[Document], list[Rejected]]:
    """Annotated documents of a project, and every task that did not make it, with the reason.

    ``project`` is a title or an id. Each task's latest non-cancelled annotation is validated by
    :func:`govtag.core.labelstudio.parse_tasks`. Tasks without such an annotation are rejected with a
    reason starting with "not annotated" (skipped-only tasks say so); an annotation that breaks the
    contract (offsets, ``value.text``, labels, overlapping spans of one layer) is rejected with
    the validator's reason. Documents come back in task id order.
    """
    project_id = resolve_project(client, project)
    tasks = sorted(export_tasks(client, project_id),
                   key=lambda t: (t.get("id") is None, t.get("id") or 0))
    annotated, rejected = [], []
    for task in tasks:
        if _usable_annotations(task):
            annotated.append(task)
            continue
        data = task.get("data") if isinstance(task.get("data"), dict) else {}
        cancelled = sum(1 for e in task.get("annotations") or [] if isinstance(e, dict))
        predictions = len(task.get("predictions") or [])
        detail = (f"skipped by the annotator {cancelled} time(s)" if cancelled
                  else f"{predictions} prediction(s), no annotation")
        rejected.append(Rejected(task.get("id"), data.get("doc_id"), f"{NOT_ANNOTATED} ({detail})"))
    docs, invalid = parse_tasks(annotated)
    return docs, invalid + rejected


# --------------------------------------------------------------------------- active learning


def select_uncertain(texts_by_id: dict[str, str], confidence: Callable[[str], float],
                     n: int) -> list[tuple[str, float]]:
    """The ``n`` least confident reports, lowest confidence first, as ``(doc_id, confidence)``.

    ``confidence(text)`` is the model's confidence in its tagging of a whole report, higher is
    surer. govtag uses the mean over the report's sentences of the maximum section-role
    probability, from what decides the model's sections: its sentence classifiers where it has
    them, else its token head (``confidence`` of ``govtag.run.predict.Tagger`` and
    ``govtag.run.sentence_tagger.SentenceTagger``): a sentence the model cannot decide between
    成绩/问题/计划/O pulls the report's score down, so the reports picked first are those whose
    annotation teaches the model most (uncertainty sampling). A non-finite confidence (NaN: the
    model could not score the report) counts as least confident. Ties break by doc_id, so the
    choice is deterministic.
    """
    if n < 0:
        raise UsageError(f"N must be >= 0, got {n}")
    scored = []
    for doc_id, text in texts_by_id.items():
        value = float(confidence(text))
        key = value if math.isfinite(value) else -math.inf
        scored.append((key, doc_id, value))
    scored.sort(key=lambda item: (item[0], item[1]))
    return [(doc_id, value) for _, doc_id, value in scored[:n]]
