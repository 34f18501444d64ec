"""Live comparison of ``accord crosscheck`` with swagger-mock-validator 14.5.0.

Builds several hundred spec/pact pairs Accord's unit tests never saw, runs the real
swagger-mock-validator (``tests/peers/smv``, pinned by its package-lock.json, ``make node``
installs it) over all of them in ONE node process, runs Accord's cross-check in-process on
the same files, and compares the verdicts (errors or none) and the findings (code and pact
location). The pairs:

- ``shop``: each HTTP pact of the workspace against its provider's contract;
- ``corpus``: the corpus's real pact/spec pairs (PactFlow's examples);
- ``synth``: corpus OpenAPI documents (3.0 and 3.1) with one interaction per operation
  synthesised from the contract's schemas (deterministic: a fixed seed);
- ``feature``: small contracts built here for OpenAPI 3.0 / 3.1 features (``oneOf``,
  ``anyOf``, ``nullable``, type arrays, ``const``, free-form objects, security schemes);
- every base interaction above (shop interactions one at a time) with systematic mutations
  (see :data:`MUTATIONS`), each a pair of its own.

Run ``python -m tests.crosscheck.smv_live`` for the figures and every difference;
``tests/crosscheck/test_smv_live.py`` asserts them.
"""

from __future__ import annotations

import copy
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from accord._errors import AccordError
from accord.core import Contract, Direction, Operation, PactFile
from accord.crosscheck import CODES, CrosscheckOptions, crosscheck
from accord.mock._generate import Unsatisfiable, generate_valid

REPO = Path(__file__).resolve().parents[2]
PEER = REPO / "tests" / "peers" / "smv"
NODE = shutil.which("node") or "/usr/bin/node"

#: corpus OpenAPI documents that get synthesised interactions (small and medium ones: smv
#: re-reads and dereferences the document for every pair)
SYNTH_DOCS = (
    "openapi/oai-examples/v3.0/petstore.yaml",
    "openapi/oai-examples/v3.0/petstore-expanded.yaml",
    "openapi/oai-examples/v3.0/api-with-examples.yaml",
    "openapi/oai-examples/v3.0/link-example.yaml",
    "openapi/oai-examples/v3.0/uspto.yaml",
    "openapi/oai-examples/v3.1/tictactoe.yaml",
    "openapi/petstore/swagger-petstore-v3.yaml",
    "openapi/redocly/museum-openapi.yaml",
    "openapi/apis-guru-3.1/wolframalpha.com__v0.1.json",
    "openapi/apis-guru-3.1/codat.io__bank-feeds__2.1.0.json",
    "openapi/apis-guru-3.1/urlbox.io__v1.json",
    "openapi/apis-guru-3.1/placekit.co__1.0.0.json",
    "openapi/pactflow/example-provider-openapi.yaml",
    "openapi/pactflow/bdct-provider-dredd-products.yml",
    "openapi/twilio/twilio_oauth_v1.json",
)
#: documents smv cannot read (it refuses 3.0.4 and fails to validate this 3.1 example): their
#: pairs are kept unmutated, to record the refusal without multiplying it
SMV_REFUSES = frozenset({"tictactoe", "swagger-petstore-v3", "discriminator"})
#: at most this many operations per synthesised document
PER_DOC = 2
#: 1 applies every mutation to every mutated base; 2 every other one (alternating)
MUTATION_STRIDE = 2
#: the shop's interactions mutated per pact (all of them are compared unmutated)
SHOP_MUTATED = 1
#: the interactions of each feature contract that are mutated: the first, and the first that
#: sends a body (all of them are compared unmutated)
SEED = 17


@dataclass(slots=True)
class Pair:
    """One spec/pact pair, the options both tools get, and where it came from."""

    id: str
    spec: Path
    pact: Path
    additional: bool = False
    required: bool = False

    @property
    def options(self) -> CrosscheckOptions:
        return CrosscheckOptions(
            additional_properties_in_response=self.additional,
            required_properties_in_response=self.required,
        )


Findings = frozenset[tuple[str, str]]


@dataclass(slots=True)
class Outcome:
    """One tool's answer on one pair: its findings, or that it refused the input."""

    findings: Findings = frozenset()
    throws: str = ""

    @property
    def failed(self) -> bool:
        return bool(self.throws) or any(CODES.get(code) == _ERROR for code, _ in self.findings)

    @property
    def codes(self) -> frozenset[str] | str:
        return "throws" if self.throws else frozenset(code for code, _ in self.findings)

    @property
    def exact(self) -> Findings | str:
        return "throws" if self.throws else self.findings


_ERROR = CODES["request.body.incompatible"]


@dataclass(slots=True)
class Comparison:
    """Both tools on every pair."""

    pairs: list[Pair]
    smv: dict[str, Outcome]
    accord: dict[str, Outcome]
    seconds_smv: float = 0.0
    seconds_accord: float = 0.0
    verdict_differs: list[str] = field(default_factory=list)
    codes_differ: list[str] = field(default_factory=list)
    findings_differ: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        for pair in self.pairs:
            smv, accord = self.smv[pair.id], self.accord[pair.id]
            if smv.failed != accord.failed:
                self.verdict_differs.append(pair.id)
            if smv.codes != accord.codes:
                self.codes_differ.append(pair.id)
            if smv.exact != accord.exact:
                self.findings_differ.append(pair.id)

    def rate(self, differing: list[str]) -> float:
        return 1 - len(differing) / len(self.pairs)

    def describe(self, pair_id: str) -> str:
        smv, accord = self.smv[pair_id], self.accord[pair_id]
        if smv.throws or accord.throws:
            return f"smv {smv.throws or 'reads it'!r}; Accord {accord.throws or 'reads it'!r}"
        only_smv = sorted(smv.findings - accord.findings)
        only_accord = sorted(accord.findings - smv.findings)
        return f"smv only {only_smv}; Accord only {only_accord}"

    def summary(self) -> str:
        n = len(self.pairs)
        lines = [
            f"{n} pairs; smv {self.seconds_smv:.1f} s, Accord {self.seconds_accord:.1f} s",
            f"same verdict:  {n - len(self.verdict_differs)}/{n} = "
            f"{self.rate(self.verdict_differs):.1%}",
            f"same codes:    {n - len(self.codes_differ)}/{n} = {self.rate(self.codes_differ):.1%}",
            f"same findings: {n - len(self.findings_differ)}/{n} = "
            f"{self.rate(self.findings_differ):.1%} (code and pact location)",
        ]
        return "\n".join(lines)


# --- building the pairs -----------------------------------------------------------------


def build_pairs(corpus: Path, workdir: Path) -> list[Pair]:
    """Every pair of the comparison, written under ``workdir`` (pacts and built specs)."""
    builder = _Builder(workdir)
    builder.shop()
    builder.corpus_pairs(corpus)
    for rel in SYNTH_DOCS:
        if not (corpus / rel).is_file():
            continue  # a document held back from this copy of the corpus
        builder.synthesised(corpus / rel, Path(rel).stem)
    builder.features()
    return builder.pairs


class _Builder:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.pairs: list[Pair] = []
        self.rng = random.Random(SEED)
        self.mutated = 0

    def add(self, pair_id: str, spec: Path, interactions: list[dict[str, Any]], **kw: bool) -> None:
        pact = self.workdir / f"pact-{len(self.pairs):04d}.json"
        pact.write_text(json.dumps(_pact(interactions), indent=2), "utf-8")
        self.pairs.append(Pair(pair_id, spec, pact, **kw))

    def spec(self, name: str, data: dict[str, Any]) -> Path:
        path = self.workdir / f"{name}.spec.json"
        path.write_text(json.dumps(data, indent=2), "utf-8")
        return path

    def with_mutations(
        self,
        base_id: str,
        spec: Path,
        contract: Contract,
        it: dict[str, Any],
        *,
        mutate: bool = True,
    ) -> None:
        self.add(base_id, spec, [it])
        if not mutate:
            return
        # each base gets every other mutation, alternating, so every kind is still covered
        self.mutated += 1
        for n, (name, mutation) in enumerate(MUTATIONS.items()):
            if (n + self.mutated) % MUTATION_STRIDE:
                continue
            mutated = mutation(contract, copy.deepcopy(it))
            if mutated is None:
                continue
            self.add(f"{base_id}~{name}", spec, [mutated])
            if name in _BOTH_OPTIONS:
                self.add(f"{base_id}~{name}~strict", spec, [mutated], required=True)

    def shop(self) -> None:
        for path in sorted((REPO / "contracts" / "pacts").glob("*.json")):
            data = json.loads(path.read_text("utf-8"))
            provider = data["provider"]["name"]
            spec = REPO / "contracts" / "openapi" / f"{provider}.yaml"
            http = [i for i in data.get("interactions", []) if _is_http(i)]
            if not spec.is_file() or not http:
                continue
            self.pairs.append(Pair(f"shop:{path.stem}", spec, path))
            contract = Contract.from_path(spec)
            for n, raw in enumerate(http):
                it = _plain_interaction(raw)
                self.with_mutations(
                    f"shop:{path.stem}:{n}", spec, contract, it, mutate=n < SHOP_MUTATED
                )

    def corpus_pairs(self, corpus: Path) -> None:
        """The corpus's real pact/spec pairs (smv's own fixtures are test_smv_agreement's)."""
        for case in corpus_cases(corpus):
            options = case.get("options") or {}
            self.pairs.append(
                Pair(
                    f"corpus:{case['id']}",
                    corpus / case["spec"],
                    corpus / case["pact"],
                    additional=options.get("additionalPropertiesInResponse") in (True, "true"),
                    required=options.get("requiredPropertiesInResponse") in (True, "true"),
                )
            )

    def synthesised(self, spec: Path, name: str) -> None:
        contract = Contract.from_path(spec)
        made = 0
        for operation in contract.operations:
            if made >= PER_DOC:
                break
            it = _synthesise(contract, operation, self.rng)
            if it is None:
                continue
            made += 1
            pair_id = f"synth:{name}:{operation.method}:{operation.path}"
            self.with_mutations(pair_id, spec, contract, it, mutate=name not in SMV_REFUSES)

    def features(self) -> None:
        for name, (doc, interactions) in FEATURES.items():
            spec = self.spec(f"feature-{name}", doc)
            contract = Contract.from_path(spec)
            sends = [n for n, it in enumerate(interactions) if "body" in it["request"]]
            mutated = {0, *sends[:1]}
            for n, it in enumerate(interactions):
                mutate = n in mutated and name not in SMV_REFUSES
                self.with_mutations(f"feature:{name}:{n}", spec, contract, it, mutate=mutate)


def corpus_cases(corpus: Path) -> list[dict[str, Any]]:
    """The recorded smv runs on real (non-fixture) pairs of the corpus, outcomes included."""
    expected = json.loads((corpus / "smv" / "expected.json").read_text("utf-8"))
    return [
        case
        for case in expected["file_pairs"]
        if case["spec_format"] == "openapi3" and not case["spec"].startswith("smv/")
    ]


def _pact(interactions: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "consumer": {"name": "consumer"},
        "provider": {"name": "provider"},
        "interactions": interactions,
        "metadata": {"pactSpecification": {"version": "2.0.0"}},
    }


def _is_http(raw: dict[str, Any]) -> bool:
    return raw.get("type", "Synchronous/HTTP") == "Synchronous/HTTP" and "request" in raw


def _plain_interaction(raw: dict[str, Any]) -> dict[str, Any]:
    """A V4 HTTP interaction rewritten as a V2 one (no matching rules: examples only)."""

    def part(src: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in src.items() if k in ("method", "path", "status")}
        headers = {k: v[0] if isinstance(v, list) else v for k, v in src.get("headers", {}).items()}
        if headers:
            out["headers"] = headers
        query = src.get("query")
        if isinstance(query, dict) and query:
            out["query"] = "&".join(f"{k}={v}" for k, vs in query.items() for v in _listed(vs))
        body = src.get("body")
        if isinstance(body, dict) and "content" in body:
            out["body"] = body["content"]
            if "contentType" in body and "headers" not in out:
                out["headers"] = {"Content-Type": body["contentType"]}
        elif body is not None:
            out["body"] = body
        return out

    return {
        "description": raw.get("description", "interaction"),
        "request": part(raw["request"]),
        "response": part(raw["response"]),
    }


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# --- synthesising an interaction from a contract ------------------------------------------


def _json_media(content: Any) -> tuple[str, Any] | None:
    for name, media in content.items():
        if name.split(";")[0].strip().endswith("json"):
            return name, media
    return None


def _scalar(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value)
    return None


def _synthesise(contract: Contract, op: Operation, rng: random.Random) -> dict[str, Any] | None:
    """One valid interaction for ``op`` (required parameters, credentials, a 2xx response)."""
    path = op.path
    query: list[str] = []
    headers: dict[str, str] = {}
    try:
        for param in op.parameters:
            if param.schema is None or not (param.required or param.location == "path"):
                continue
            if param.location == "cookie":
                return None
            value = _scalar(generate_valid(contract, param.schema, Direction.REQUEST, rng))
            if value is None or (param.location == "path" and not value):
                return None
            if param.location == "path":
                path = path.replace("{" + param.name + "}", value)
            elif param.location == "query":
                query.append(f"{param.name}={value}")
            elif param.location == "header":
                headers[param.name] = value
        request: dict[str, Any] = {"method": op.method.upper(), "path": path}
        if op.request_body is not None:
            found = _json_media(op.request_body.content)
            if found is None:
                if op.request_body.required:
                    return None
            elif found[1].schema is not None:
                headers["Content-Type"] = found[0]
                request["body"] = generate_valid(contract, found[1].schema, Direction.REQUEST, rng)
        if not _credentials(contract, op, headers, query):
            return None
        response = _response(contract, op, rng)
    except Unsatisfiable:
        return None
    if response is None:
        return None
    if query:
        request["query"] = "&".join(query)
    if headers:
        request["headers"] = headers
    return {"description": f"{op.method} {op.path}", "request": request, "response": response}


def _credentials(
    contract: Contract, op: Operation, headers: dict[str, str], query: list[str]
) -> bool:
    if not op.security or not op.security[0]:
        return True
    schemes = contract.data.get("components", {}).get("securitySchemes", {})
    for name in op.security[0]:
        scheme = schemes.get(name)
        if not isinstance(scheme, dict):
            return False
        kind = scheme.get("type")
        if kind == "apiKey" and scheme.get("in") == "header":
            headers[scheme["name"]] = "key-123"
        elif kind == "apiKey" and scheme.get("in") == "query":
            query.append(f"{scheme['name']}=key-123")
        elif kind == "http" and str(scheme.get("scheme", "")).lower() == "basic":
            headers["Authorization"] = "Basic dXNlcjpwdw=="
        elif kind in ("http", "oauth2", "openIdConnect"):
            headers["Authorization"] = "Bearer token-123"
        else:
            return False
    return True


def _response(contract: Contract, op: Operation, rng: random.Random) -> dict[str, Any] | None:
    for status, documented in op.responses.items():
        if not status.isdigit() or not status.startswith("2"):
            continue
        out: dict[str, Any] = {"status": int(status)}
        if not documented.content:
            return out
        found = _json_media(documented.content)
        if found is None or found[1].schema is None:
            continue
        out["headers"] = {"Content-Type": found[0]}
        out["body"] = generate_valid(contract, found[1].schema, Direction.RESPONSE, rng)
        return out
    return None


# --- mutations ------------------------------------------------------------------------------

Mutation = Callable[[Contract, dict[str, Any]], dict[str, Any] | None]


def _first_key(body: Any) -> str | None:
    if isinstance(body, dict) and body:
        return sorted(body)[0]
    return None


def _wrong(value: Any) -> Any:
    if isinstance(value, str):
        return 12345
    if isinstance(value, bool) or value is None:
        return "not-a-boolean-or-null"
    if isinstance(value, (int, float)):
        return "not-a-number"
    if isinstance(value, list):
        return {"not": "a list"}
    return "not-an-object"


def _operation(contract: Contract, it: dict[str, Any]) -> Operation | None:
    found = contract.match(it["request"]["method"].lower(), it["request"]["path"])
    return found.operation if found is not None else None


def unknown_path(contract: Contract, it: dict[str, Any]) -> dict[str, Any]:
    it["request"]["path"] = it["request"]["path"].rstrip("/") + "/no-such-thing"
    return it


def wrong_method(contract: Contract, it: dict[str, Any]) -> dict[str, Any] | None:
    allowed = {m.upper() for m in contract.allowed_methods(it["request"]["path"])}
    for method in ("PATCH", "PUT", "DELETE", "POST", "GET"):
        if method not in allowed:
            it["request"]["method"] = method
            return it
    return None


def bad_status(contract: Contract, it: dict[str, Any]) -> dict[str, Any] | None:
    op = _operation(contract, it)
    if op is None or "default" in op.responses:
        return None
    it["response"]["status"] = 418
    return it


def _body_edit(side: str, edit: str) -> Mutation:
    """A mutation of one side's JSON object body: an undeclared property added (``extra``),
    or its first property (sorted) given a value of another type (``wrong``) or left out
    (``drop``)."""

    def mutate(contract: Contract, it: dict[str, Any]) -> dict[str, Any] | None:
        body = it[side].get("body")
        key = _first_key(body)
        if key is None:
            return None
        if edit == "extra":
            body["zz_undeclared"] = "x"
        elif edit == "wrong":
            body[key] = _wrong(body[key])
        else:
            del body[key]
        return it

    return mutate


def request_content_type(contract: Contract, it: dict[str, Any]) -> dict[str, Any] | None:
    if "body" not in it["request"]:
        return None
    it["request"].setdefault("headers", {})["Content-Type"] = "text/plain"
    return it


def response_content_type(contract: Contract, it: dict[str, Any]) -> dict[str, Any] | None:
    if "body" not in it["response"]:
        return None
    it["response"].setdefault("headers", {})["Content-Type"] = "text/html"
    return it


def accept_mismatch(contract: Contract, it: dict[str, Any]) -> dict[str, Any] | None:
    if "body" not in it["response"]:
        return None
    it["request"].setdefault("headers", {})["Accept"] = "application/xml"
    return it


def query_unknown(contract: Contract, it: dict[str, Any]) -> dict[str, Any]:
    query = it["request"].get("query")
    it["request"]["query"] = f"{query}&zz_unknown=1" if query else "zz_unknown=1"
    return it


def query_drop(contract: Contract, it: dict[str, Any]) -> dict[str, Any] | None:
    query = it["request"].get("query")
    if not query:
        return None
    rest = query.split("&")[1:]
    if rest:
        it["request"]["query"] = "&".join(rest)
    else:
        del it["request"]["query"]
    return it


def query_wrong_type(contract: Contract, it: dict[str, Any]) -> dict[str, Any] | None:
    op = _operation(contract, it)
    if op is None:
        return None
    for param in op.parameters:
        if param.location == "query" and param.schema is not None:
            kind = param.schema.value.get("type") if isinstance(param.schema.value, dict) else None
            if kind in ("integer", "number", "boolean"):
                query = it["request"].get("query")
                extra = f"{param.name}=not-a-{kind}"
                kept = [q for q in (query or "").split("&") if q and q.split("=")[0] != param.name]
                it["request"]["query"] = "&".join([*kept, extra])
                return it
    return None


def header_drop(contract: Contract, it: dict[str, Any]) -> dict[str, Any] | None:
    headers = it["request"].get("headers", {})
    names = [h for h in headers if h.lower() not in ("content-type", "accept")]
    if not names:
        return None
    del headers[sorted(names)[0]]
    return it


def header_unknown(contract: Contract, it: dict[str, Any]) -> dict[str, Any]:
    it["request"].setdefault("headers", {})["X-Zz-Unknown"] = "1"
    return it


def negative_test(contract: Contract, it: dict[str, Any]) -> dict[str, Any] | None:
    """A deliberately bad request body answered 400 (documented or not)."""
    if not isinstance(it["request"].get("body"), dict):
        return None
    it["request"]["body"] = {"zz_bad": True}
    it["response"] = {"status": 400}
    return it


def negative_query(contract: Contract, it: dict[str, Any]) -> dict[str, Any] | None:
    """A required query parameter left out on purpose, answered 400."""
    if not it["request"].get("query"):
        return None
    del it["request"]["query"]
    it["response"] = {"status": 400}
    return it


def not_found(contract: Contract, it: dict[str, Any]) -> dict[str, Any] | None:
    """The same request answered 404 (an unknown resource), documented or not."""
    if "{" not in (_operation(contract, it) or _NO_OP).path:
        return None
    it["response"] = {"status": 404}
    return it


def not_found_query(contract: Contract, it: dict[str, Any]) -> dict[str, Any] | None:
    """An unknown resource looked up with a query parameter the contract does not document,
    answered 404 (a negative test: the 404 explains the query)."""
    if "{" not in (_operation(contract, it) or _NO_OP).path:
        return None
    query = it["request"].get("query")
    it["request"]["query"] = f"{query}&zz_filter=1" if query else "zz_filter=1"
    it["response"] = {"status": 404}
    return it


def unauthorized(contract: Contract, it: dict[str, Any]) -> dict[str, Any] | None:
    """The credentials left out on purpose, answered 401."""
    op = _operation(contract, it)
    if op is None or not op.security or not op.security[0]:
        return None
    keys = {"authorization"}
    for name in op.security[0]:
        scheme = contract.security_schemes.get(name)
        if isinstance(scheme, dict) and scheme.get("type") == "apiKey":
            keys.add(str(scheme.get("name", "")).lower())
    headers = it["request"].get("headers", {})
    dropped = [h for h in headers if h.lower() in keys]
    query = [q for q in it["request"].get("query", "").split("&") if q]
    kept = [q for q in query if q.split("=")[0].lower() not in keys]
    if not dropped and len(kept) == len(query):
        return None
    for name in dropped:
        del headers[name]
    if kept:
        it["request"]["query"] = "&".join(kept)
    else:
        it["request"].pop("query", None)
    it["response"] = {"status": 401}
    return it


def vendor_json(contract: Contract, it: dict[str, Any]) -> dict[str, Any] | None:
    """JSON bodies sent and answered as a vendor type with a ``+json`` suffix (RFC 6839), as
    a Kafka schema registry names them: still JSON, so still ``application/json``'s."""
    changed = False
    for side in ("request", "response"):
        headers = it[side].get("headers", {})
        for name, value in headers.items():
            if name.lower() == "content-type" and value.split(";")[0].strip() == "application/json":
                headers[name] = "application/vnd.schemaregistry.v1+json"
                changed = True
    return it if changed else None


def charset(contract: Contract, it: dict[str, Any]) -> dict[str, Any] | None:
    """Media type parameters and header-name case that change nothing."""
    changed = False
    for side in ("request", "response"):
        headers = it[side].get("headers", {})
        if "Content-Type" in headers:
            headers["content-type"] = headers.pop("Content-Type") + "; charset=utf-8"
            changed = True
    return it if changed else None


def no_content_type(contract: Contract, it: dict[str, Any]) -> dict[str, Any] | None:
    if "body" not in it["request"]:
        return None
    del it["request"]["headers"]["Content-Type"]
    return it


def response_header_undocumented(contract: Contract, it: dict[str, Any]) -> dict[str, Any]:
    it["response"].setdefault("headers", {})["X-Zz-Undocumented"] = "1"
    return it


def path_param_wrong(contract: Contract, it: dict[str, Any]) -> dict[str, Any] | None:
    """A path parameter with a value of the wrong type, answered as documented (2xx)."""
    op = _operation(contract, it)
    if op is None:
        return None
    parts, template = it["request"]["path"].split("/"), op.path.split("/")
    for param in op.parameters:
        schema = param.schema.value if param.schema is not None else None
        numeric = isinstance(schema, dict) and schema.get("type") in ("integer", "number")
        if param.location == "path" and numeric and len(parts) == len(template):
            parts[template.index("{" + param.name + "}")] = "not-a-number"
            it["request"]["path"] = "/".join(parts)
            return it
    return None


def trailing_slash(contract: Contract, it: dict[str, Any]) -> dict[str, Any] | None:
    if it["request"]["path"].endswith("/"):
        return None
    it["request"]["path"] += "/"
    return it


def null_body(contract: Contract, it: dict[str, Any]) -> dict[str, Any] | None:
    if "body" not in it["response"]:
        return None
    it["response"]["body"] = None
    return it


class _NoOp:
    path = ""


_NO_OP: Any = _NoOp()

#: name -> mutation; a mutation that does not apply to an interaction returns None
MUTATIONS: dict[str, Mutation] = {
    "unknown-path": unknown_path,
    "wrong-method": wrong_method,
    "bad-status": bad_status,
    "response-extra-property": _body_edit("response", "extra"),
    "response-wrong-type": _body_edit("response", "wrong"),
    "response-drop-property": _body_edit("response", "drop"),
    "request-drop-property": _body_edit("request", "drop"),
    "request-wrong-type": _body_edit("request", "wrong"),
    "request-extra-property": _body_edit("request", "extra"),
    "request-content-type": request_content_type,
    "response-content-type": response_content_type,
    "accept-mismatch": accept_mismatch,
    "query-unknown": query_unknown,
    "query-drop": query_drop,
    "query-wrong-type": query_wrong_type,
    "header-drop": header_drop,
    "header-unknown": header_unknown,
    "negative-test": negative_test,
    "negative-query": negative_query,
    "not-found": not_found,
    "charset": charset,
    "no-content-type": no_content_type,
    "response-header-undocumented": response_header_undocumented,
    "path-param-wrong": path_param_wrong,
    "trailing-slash": trailing_slash,
    "null-body": null_body,
    "not-found-query": not_found_query,
    "unauthorized": unauthorized,
    "vendor-json": vendor_json,
}
#: mutations also run with ``requiredPropertiesInResponse`` on
_BOTH_OPTIONS = frozenset({"response-drop-property"})


# --- small contracts for OpenAPI 3.0 / 3.1 features ----------------------------------------


def _doc(
    version: str, paths: dict[str, Any], schemas: dict[str, Any] | None = None
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "openapi": version,
        "info": {"title": "features", "version": "1"},
        "paths": paths,
    }
    if schemas:
        doc["components"] = {"schemas": schemas}
    return doc


def _json(schema: Any) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _get(path: str, schema: Any, status: int = 200) -> dict[str, Any]:
    return {
        path: {"get": {"responses": {str(status): {"description": "ok", "content": _json(schema)}}}}
    }


def _post(path: str, schema: Any) -> dict[str, Any]:
    return {
        path: {
            "post": {
                "requestBody": {"required": True, "content": _json(schema)},
                "responses": {"204": {"description": "done"}, "400": {"description": "bad"}},
            }
        }
    }


def _got(path: str, body: Any) -> dict[str, Any]:
    return {
        "description": f"GET {path}",
        "request": {"method": "GET", "path": path},
        "response": {"status": 200, "headers": {"Content-Type": "application/json"}, "body": body},
    }


def _posted(path: str, body: Any) -> dict[str, Any]:
    return {
        "description": f"POST {path}",
        "request": {
            "method": "POST",
            "path": path,
            "headers": {"Content-Type": "application/json"},
            "body": body,
        },
        "response": {"status": 204},
    }


_CAT = {
    "type": "object",
    "required": ["kind", "meow"],
    "properties": {"kind": {"type": "string"}, "meow": {"type": "boolean"}},
}
_DOG = {
    "type": "object",
    "required": ["kind", "bark"],
    "properties": {"kind": {"type": "string"}, "bark": {"type": "integer"}},
}
_PETS = {"Cat": _CAT, "Dog": _DOG}
_ONE_OF = {"oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}]}
_ANY_OF = {"anyOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}]}
_NULLABLE_30 = {
    "type": "object",
    "properties": {"name": {"type": "string", "nullable": True}, "age": {"type": "integer"}},
}
_NULLABLE_31 = {
    "type": "object",
    "properties": {"name": {"type": ["string", "null"]}, "age": {"type": "integer"}},
}
_CONST_31 = {
    "type": "object",
    "properties": {
        "kind": {"const": "fixed"},
        "tags": {"type": "array", "prefixItems": [{"type": "string"}]},
    },
}
_FREE = {"type": "object"}
_OPEN = {"type": "object", "properties": {"id": {"type": "string"}}, "additionalProperties": True}
_MAP = {"type": "object", "additionalProperties": {"type": "integer"}}
_ALL_OF = {
    "allOf": [
        {"$ref": "#/components/schemas/Cat"},
        {"type": "object", "properties": {"age": {"type": "integer"}}},
    ]
}
_ARRAY = {"type": "array", "items": {"$ref": "#/components/schemas/Dog"}}

_FORMATS = {
    "type": "object",
    "properties": {
        "at": {"type": "string", "format": "date-time"},
        "day": {"type": "string", "format": "date"},
        "id": {"type": "string", "format": "uuid"},
        "mail": {"type": "string", "format": "email"},
        "n": {"type": "integer", "format": "int32"},
    },
}
_BOUNDS_30 = {
    "type": "object",
    "properties": {
        "score": {"type": "number", "minimum": 0, "exclusiveMinimum": True, "maximum": 10},
        "code": {"type": "string", "pattern": "^[A-Z]{3}$", "minLength": 3},
        "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1, "uniqueItems": True},
        "level": {"type": "string", "enum": ["low", "high"], "nullable": True},
    },
}
_BOUNDS_31 = {
    "type": "object",
    "properties": {
        "score": {"type": "number", "exclusiveMinimum": 0, "maximum": 10},
        "code": {"type": "string", "pattern": "^[A-Z]{3}$"},
        "level": {"enum": ["low", "high", None]},
        "extra": {"type": "object", "patternProperties": {"^x-": {"type": "string"}}},
    },
    "dependentRequired": {"code": ["score"]},
}
_RW = {
    "type": "object",
    "required": ["id", "name", "secret"],
    "properties": {
        "id": {"type": "string", "readOnly": True},
        "name": {"type": "string"},
        "secret": {"type": "string", "writeOnly": True},
    },
}
_DISCRIMINATED = {
    "oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
    "discriminator": {
        "propertyName": "kind",
        "mapping": {"cat": "#/components/schemas/Cat", "dog": "#/components/schemas/Dog"},
    },
}


def _params_doc(version: str) -> dict[str, Any]:
    return _doc(
        version,
        {
            "/search": {
                "get": {
                    "parameters": [
                        {
                            "name": "q",
                            "in": "query",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                        {
                            "name": "page",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 1},
                        },
                        {
                            "name": "ids",
                            "in": "query",
                            "schema": {"type": "array", "items": {"type": "integer"}},
                        },
                        {"name": "X-Limit", "in": "header", "schema": {"type": "integer"}},
                        {
                            "name": "X-Mode",
                            "in": "header",
                            "required": True,
                            "schema": {"enum": ["a", "b"]},
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "ok",
                            "headers": {"X-Count": {"schema": {"type": "integer"}}},
                            "content": _json({"type": "array", "items": {"type": "string"}}),
                        }
                    },
                }
            },
            "/forms": {
                "post": {
                    "requestBody": {
                        "content": {
                            "application/x-www-form-urlencoded": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "a": {"type": "integer"},
                                        "b": {"type": "string"},
                                    },
                                }
                            }
                        }
                    },
                    "responses": {"201": {"description": "made"}},
                }
            },
        },
    )


def _query(path: str, query: str, headers: dict[str, str], status: int = 200) -> dict[str, Any]:
    return {
        "description": f"GET {path}?{query}",
        "request": {"method": "GET", "path": path, "query": query, "headers": headers},
        "response": {
            "status": status,
            "headers": {"Content-Type": "application/json", "X-Count": "2"},
            "body": ["a", "b"],
        },
    }


FEATURES: dict[str, tuple[dict[str, Any], list[dict[str, Any]]]] = {
    "formats-30": (
        _doc("3.0.3", {**_get("/f", _FORMATS), **_post("/f", _FORMATS)}),
        [
            _got(
                "/f",
                {
                    "at": "2025-01-01T10:00:00Z",
                    "day": "2025-01-01",
                    "id": "5b0c3c6e-8f6e-4d55-9d8f-3f8d2b1e0a11",
                },
            ),
            _got(
                "/f", {"at": "yesterday", "day": "01/02/2025", "id": "not-a-uuid", "mail": "nobody"}
            ),
            _got("/f", {"n": 3000000000}),
            _posted("/f", {"at": "soon", "mail": "a@b.c"}),
        ],
    ),
    "bounds-30": (
        _doc("3.0.3", {**_get("/b", _BOUNDS_30), **_post("/b", _BOUNDS_30)}),
        [
            _got("/b", {"score": 0, "code": "ABC", "tags": ["x"], "level": None}),
            _got("/b", {"score": 11, "code": "abc", "tags": [], "level": "mid"}),
            _posted("/b", {"score": 5, "code": "ABCD", "tags": ["x", "x"]}),
        ],
    ),
    "bounds-31": (
        _doc("3.1.0", {**_get("/b", _BOUNDS_31), **_post("/b", _BOUNDS_31)}),
        [
            _got("/b", {"score": 0, "code": "ABC", "level": None, "extra": {"x-a": "1"}}),
            _got("/b", {"score": 1, "level": "low", "extra": {"x-a": 1}}),
            _posted("/b", {"code": "ABC"}),
        ],
    ),
    "read-write": (
        _doc("3.0.3", {**_get("/rw", _RW), **_post("/rw", _RW)}),
        [
            _got("/rw", {"id": "1", "name": "n"}),
            _got("/rw", {"id": "1", "name": "n", "secret": "s"}),
            _posted("/rw", {"name": "n", "secret": "s"}),
            _posted("/rw", {"id": "1", "name": "n", "secret": "s"}),
        ],
    ),
    "discriminator": (
        _doc("3.0.3", {**_get("/pet", _DISCRIMINATED), **_post("/pets", _DISCRIMINATED)}, _PETS),
        [
            _got("/pet", {"kind": "cat", "meow": True}),
            _got("/pet", {"kind": "cow", "meow": True}),
            _posted("/pets", {"kind": "dog", "bark": 2}),
        ],
    ),
    "path-31": (
        _doc(
            "3.1.0",
            {
                "/items/{id}": {
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer"},
                        }
                    ],
                    **_get("/items/{id}", _NULLABLE_31)["/items/{id}"],
                    **_post("/items/{id}", _NULLABLE_31)["/items/{id}"],
                }
            },
        ),
        [_got("/items/7", {"name": "a", "age": 1}), _posted("/items/7", {"name": None})],
    ),
    "params-30": (
        _params_doc("3.0.3"),
        [
            _query("/search", "q=a&page=2&ids=1&ids=2", {"X-Mode": "a", "X-Limit": "5"}),
            _query("/search", "q=a&page=0", {"X-Mode": "c"}),
            _query("/search", "page=2&ids=x", {"X-Mode": "a", "X-Limit": "many"}),
            {
                "description": "a form",
                "request": {
                    "method": "POST",
                    "path": "/forms",
                    "headers": {"Content-Type": "application/x-www-form-urlencoded"},
                    "body": "a=1&b=x",
                },
                "response": {"status": 201},
            },
            {
                "description": "a bad form",
                "request": {
                    "method": "POST",
                    "path": "/forms",
                    "headers": {"Content-Type": "application/x-www-form-urlencoded"},
                    "body": "a=one&c=x",
                },
                "response": {"status": 201},
            },
        ],
    ),
    "oneof-30": (
        _doc("3.0.3", {**_get("/pet", _ONE_OF), **_post("/pets", _ONE_OF)}, _PETS),
        [
            _got("/pet", {"kind": "cat", "meow": True}),
            _got("/pet", {"kind": "dog"}),
            _posted("/pets", {"kind": "dog", "bark": 3}),
        ],
    ),
    "anyof-31": (
        _doc("3.1.0", {**_get("/pet", _ANY_OF), **_post("/pets", _ANY_OF)}, _PETS),
        [
            _got("/pet", {"kind": "dog", "bark": 1}),
            _got("/pet", {"kind": "cat"}),
            _posted("/pets", {"kind": "cat", "meow": False}),
        ],
    ),
    "nullable-30": (
        _doc("3.0.3", {**_get("/person", _NULLABLE_30), **_post("/people", _NULLABLE_30)}),
        [_got("/person", {"name": None, "age": 3}), _posted("/people", {"name": None, "age": 4})],
    ),
    "nullable-31": (
        _doc("3.1.0", {**_get("/person", _NULLABLE_31), **_post("/people", _NULLABLE_31)}),
        [_got("/person", {"name": None, "age": 3}), _posted("/people", {"name": "Ann", "age": 4})],
    ),
    "const-31": (
        _doc("3.1.0", {**_get("/thing", _CONST_31), **_post("/things", _CONST_31)}),
        [_got("/thing", {"kind": "fixed", "tags": ["a"]}), _posted("/things", {"kind": "fixed"})],
    ),
    "free-form": (
        _doc(
            "3.0.3",
            {
                **_get("/free", _FREE),
                **_get("/open", _OPEN),
                **_get("/map", _MAP),
                **_post("/free", _FREE),
            },
        ),
        [
            _got("/free", {"anything": 1}),
            _got("/map", {"a": 1, "b": 2}),
            _got("/open", {"id": "a", "more": 2}),
            _posted("/free", {"x": 1}),
        ],
    ),
    "allof-array": (
        _doc("3.0.3", {**_get("/cat", _ALL_OF), **_get("/dogs", _ARRAY)}, _PETS),
        [
            _got("/cat", {"kind": "cat", "meow": True, "age": 2}),
            _got("/dogs", [{"kind": "dog", "bark": 1}]),
        ],
    ),
}


# --- running both tools ----------------------------------------------------------------------


def run_smv(pairs: list[Pair], workdir: Path) -> dict[str, Outcome]:
    """swagger-mock-validator on every pair, in one node process."""
    listing = workdir / "pairs.json"
    listing.write_text(
        json.dumps(
            [
                {
                    "id": p.id,
                    "spec": str(p.spec),
                    "pact": str(p.pact),
                    "additionalPropertiesInResponse": p.additional,
                    "requiredPropertiesInResponse": p.required,
                }
                for p in pairs
            ]
        ),
        "utf-8",
    )
    if not (PEER / "node_modules" / "@pactflow" / "swagger-mock-validator").is_dir():
        raise RuntimeError(f"swagger-mock-validator is not installed: run `make node` ({PEER})")
    done = subprocess.run(
        [NODE, str(PEER / "run.mjs"), str(listing)],
        cwd=PEER,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"swagger-mock-validator failed: {done.stderr[-2000:]}")
    out: dict[str, Outcome] = {}
    for row in json.loads(done.stdout):
        if "throws" in row:
            out[row["id"]] = Outcome(throws=row["throws"])
        else:
            found = row["errors"] + row["warnings"]
            out[row["id"]] = Outcome(frozenset((r["code"], r["location"]) for r in found))
    return out


def run_accord(pairs: list[Pair]) -> dict[str, Outcome]:
    """Accord's cross-check on every pair, in this process (each contract read once)."""
    contracts: dict[Path, Contract | AccordError] = {}
    out: dict[str, Outcome] = {}
    for pair in pairs:
        if pair.spec not in contracts:
            try:
                contracts[pair.spec] = Contract.from_path(pair.spec)
            except AccordError as exc:
                contracts[pair.spec] = exc
        contract = contracts[pair.spec]
        try:
            if isinstance(contract, AccordError):
                raise contract
            pact = PactFile.from_path(pair.pact)
            found = crosscheck(contract, pact, pair.options)
        except AccordError as exc:
            out[pair.id] = Outcome(throws=exc.message)
            continue
        out[pair.id] = Outcome(frozenset((m.code, m.pact_path) for m in found))
    return out


def compare(corpus: Path, workdir: Path) -> Comparison:
    """Build the pairs, run both tools (smv in the background while Accord runs)."""

    pairs = build_pairs(corpus, workdir)
    with ThreadPoolExecutor(1) as pool:
        start = time.perf_counter()
        smv_future = pool.submit(run_smv, pairs, workdir)
        accord = run_accord(pairs)
        seconds_accord = time.perf_counter() - start
        smv = smv_future.result()
        seconds_smv = time.perf_counter() - start
    return Comparison(pairs, smv, accord, seconds_smv, seconds_accord)


def _iter_lines(result: Comparison) -> Iterator[str]:
    yield result.summary()
    for pair_id in result.findings_differ:
        mark = (
            "V"
            if pair_id in result.verdict_differs
            else ("C" if pair_id in result.codes_differ else "L")
        )
        yield f"  [{mark}] {pair_id}: {result.describe(pair_id)}"


def main() -> None:
    from tests.conftest import CORPUS  # noqa: PLC0415  (only when run as a script)

    with tempfile.TemporaryDirectory() as tmp:
        result = compare(CORPUS, Path(tmp))
    for line in _iter_lines(result):
        print(line)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
