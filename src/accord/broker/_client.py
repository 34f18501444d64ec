"""A client of the Pact Broker's HAL API (any Pact Broker, PactFlow, or ``accord broker``).

It follows relations from the index (``pb:publish-contracts``,
``pb:provider-pacts-for-verification``, ...) rather than building URLs, as the
Pact Broker's docs ask of clients (docs.pact.io/pact_broker/api "navigate by
relation"). Credentials come from the conventional ``PACT_BROKER_*`` variables.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import httpx

from accord._errors import AccordError
from accord._json import JSONError, read_json
from accord.core import PactFile

__all__ = ["BrokerClient", "BrokerSettings", "PactToVerify", "VersionSelector", "did_you_mean"]


@dataclass(slots=True, frozen=True)
class BrokerSettings:
    url: str
    token: str | None = None
    username: str | None = None
    password: str | None = None

    @classmethod
    def from_env(
        cls,
        url: str | None = None,
        env: Mapping[str, str] | None = None,
        *,
        default: str | None = None,
    ) -> BrokerSettings | None:
        """``url``, else ``$PACT_BROKER_BASE_URL``, else ``default`` (a setting), with
        ``$PACT_BROKER_TOKEN`` or ``$PACT_BROKER_USERNAME``/``$PACT_BROKER_PASSWORD``;
        None when there is no URL at all."""
        env = os.environ if env is None else env
        url = url or env.get("PACT_BROKER_BASE_URL") or default
        if not url:
            return None
        return cls(
            url.rstrip("/"),
            env.get("PACT_BROKER_TOKEN") or None,
            env.get("PACT_BROKER_USERNAME") or None,
            env.get("PACT_BROKER_PASSWORD") or None,
        )


@dataclass(slots=True)
class PactToVerify:
    """A pact the broker selected for verification, fetched."""

    url: str
    consumer: str
    content: dict[str, Any]  # the pact itself, without the broker's ``_links``
    links: dict[str, Any]
    pending: bool = False
    wip: bool = False
    notices: list[str] = field(default_factory=list)
    description: str = ""


class BrokerClient:
    """Talks to one broker; every failure is an :class:`AccordError` naming the request."""

    def __init__(self, settings: BrokerSettings, *, timeout: float = 30.0) -> None:
        self.settings = settings
        headers = {"Accept": "application/hal+json, application/json, application/problem+json"}
        auth: httpx.Auth | None = None
        if settings.token:
            headers["Authorization"] = f"Bearer {settings.token}"
        elif settings.username:
            auth = httpx.BasicAuth(settings.username, settings.password or "")
        self._http = httpx.Client(headers=headers, auth=auth, timeout=timeout)
        self._index: dict[str, Any] | None = None

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> BrokerClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plumbing ---------------------------------------------------------------------------

    def request(self, method: str, url: str, body: Any = None) -> Any:
        if url.startswith("/"):
            url = self.settings.url + url
        try:
            response = self._http.request(method, url, json=body)
        except httpx.HTTPError as exc:
            raise AccordError(f"broker {self.settings.url}: {method} {url}: {exc}") from exc
        text = response.content
        try:
            data = read_json(text) if text.strip() else None
        except (JSONError, UnicodeDecodeError):
            data = None
        if response.status_code >= 400:
            detail = ""
            if isinstance(data, dict):
                detail = str(data.get("detail") or data.get("errors") or data.get("error") or "")
            detail = detail or response.text[:300]
            status = response.status_code
            raise AccordError(f"broker {self.settings.url}: {method} {url}: {status} {detail}")
        return data

    def relation(self, name: str, **values: str) -> str:
        """The href of the index's relation ``name``, its template filled with ``values``."""
        if self._index is None:
            index = self.request("GET", "/")
            self._index = index.get("_links", {}) if isinstance(index, dict) else {}
        found = self._index.get(name)
        if not isinstance(found, dict) or "href" not in found:
            raise AccordError(f"broker {self.settings.url}: its index has no {name!r} relation")
        return _expand(str(found["href"]), values)

    # -- consumers --------------------------------------------------------------------------

    def publish(
        self,
        pacts: Iterable[Path],
        version: str,
        *,
        branch: str | None = None,
        tags: Iterable[str] = (),
        build_url: str | None = None,
        merge: bool = False,
    ) -> list[str]:
        """Publish pact files as ``version`` of their consumer; the broker's notices. With
        ``merge``, each pact's interactions are merged into the version's pact
        (``onConflict: "merge"``) instead of being refused when it already has one."""
        by_consumer: dict[str, list[dict[str, Any]]] = {}
        for path in pacts:
            pact = PactFile.from_path(path)  # a malformed pact is refused before any is sent
            consumer, provider = pact.consumer, pact.provider
            raw = path.read_bytes()
            by_consumer.setdefault(consumer, []).append(
                {
                    "consumerName": consumer,
                    "providerName": provider,
                    "specification": "pact",
                    "contentType": "application/json",
                    "content": base64.b64encode(raw).decode(),
                    "onConflict": "merge" if merge else "overwrite",
                }
            )
        href = self.relation("pb:publish-contracts")
        notices = []
        for consumer, contracts in by_consumer.items():
            body: dict[str, Any] = {
                "pacticipantName": consumer,
                "pacticipantVersionNumber": version,
                "tags": list(tags),
                "contracts": contracts,
            }
            if branch:
                body["branch"] = branch
            if build_url:
                body["buildUrl"] = build_url
            answer = self.request("POST", href, body) or {}
            notices += [str(n.get("text", "")) for n in answer.get("notices") or []]
        return notices

    # -- providers --------------------------------------------------------------------------

    def pacts_for_verification(
        self,
        provider: str,
        *,
        selectors: list[dict[str, Any]] | None = None,
        provider_branch: str | None = None,
        include_pending: bool = True,
        wip_since: str | None = None,
    ) -> list[PactToVerify]:
        """The pacts ``provider`` should verify now, each fetched, with pending/WIP flags."""
        href = self.relation("pb:provider-pacts-for-verification", provider=provider)
        body: dict[str, Any] = {"includePendingStatus": include_pending}
        if selectors:
            body["consumerVersionSelectors"] = selectors
        if provider_branch:
            body["providerVersionBranch"] = provider_branch
        if wip_since:
            body["includeWipPactsSince"] = wip_since
        answer = self.request("POST", href, body) or {}
        found = []
        for item in (answer.get("_embedded") or {}).get("pacts") or []:
            url = item["_links"]["self"]["href"]
            content = self.request("GET", url)
            if not isinstance(content, dict):
                raise AccordError(f"broker {self.settings.url}: {url} is not a pact")
            links = content.pop("_links", {}) or {}
            for key in ("createdAt",):
                content.pop(key, None)
            props = item.get("verificationProperties") or {}
            found.append(
                PactToVerify(
                    url,
                    str((content.get("consumer") or {}).get("name", "")),
                    content,
                    links,
                    bool(props.get("pending")),
                    bool(props.get("wip")),
                    [str(n.get("text", "")) for n in props.get("notices") or []],
                    str(item.get("shortDescription", "")),
                )
            )
        return found

    def publish_result(
        self,
        pact: PactToVerify,
        provider_version: str,
        success: bool,
        *,
        branch: str | None = None,
        build_url: str | None = None,
        test_results: list[dict[str, Any]] | None = None,
    ) -> None:
        """Publish one verification result, after putting the provider version on its branch.

        The branch goes first through the provider's ``pb:branch-version`` relation, as
        the Pact verifiers do (docs.pact.io/pact_broker/branches#provider-branches).
        """
        if branch:
            provider = self.request("GET", pact.links["pb:provider"]["href"]) or {}
            template = (provider.get("_links") or {}).get("pb:branch-version", {}).get("href")
            if template:
                self.request(
                    "PUT", _expand(template, {"branch": branch, "version": provider_version}), {}
                )
        body: dict[str, Any] = {
            "success": success,
            "providerApplicationVersion": provider_version,
            "verifiedBy": {"implementation": "accord"},
        }
        if branch:
            body["providerVersionBranch"] = branch
        if build_url:
            body["buildUrl"] = build_url
        if test_results is not None:
            body["testResults"] = test_results
        self.request("POST", pact.links["pb:publish-verification-results"]["href"], body)

    # -- deployments ------------------------------------------------------------------------

    def can_i_deploy(
        self,
        pacticipant: str,
        version: str | VersionSelector,
        environment: str | None = None,
        *,
        to_tag: str | None = None,
    ) -> dict[str, Any]:
        """The matrix answer for ``pacticipant``'s ``version`` (a number or a selector), against
        the versions in ``environment``, else the latest versions (with tag ``to_tag``) of
        everything it integrates with: the ``/matrix`` query the Pact CLI sends
        (docs.pact.io/pact_broker/advanced_topics/matrix_selectors).

        An unknown pacticipant, version, branch, tag or environment is one
        :class:`AccordError` naming what the broker has (with a did-you-mean)."""
        selector = VersionSelector(version=version) if isinstance(version, str) else version
        params: list[tuple[str, str]] = [("q[][pacticipant]", pacticipant), *selector.query()]
        if environment:
            params += [("latestby", "cvpv"), ("environment", environment)]
        else:
            params += [("latestby", "cvp"), ("latest", "true")]
            if to_tag:
                params.append(("tag", to_tag))
        try:
            answer = self.request("GET", "/matrix?" + urlencode(params))
        except AccordError as exc:
            found = self._unknown(pacticipant, selector, environment)
            raise (exc if found is None else AccordError(found)) from None
        if not isinstance(answer, dict):
            raise AccordError(f"broker {self.settings.url}: the matrix answer is not an object")
        return answer

    def _names(self, href: str, key: str, field: str = "name") -> list[str]:
        answer = self.request("GET", href) or {}
        items = (answer.get("_embedded") or {}).get(key) or answer.get(key) or []
        return [str(i.get(field)) for i in items if isinstance(i, dict) and i.get(field)]

    def _unknown(
        self, pacticipant: str, selector: VersionSelector, environment: str | None
    ) -> str | None:
        """Why a matrix query failed, when it names something the broker does not have."""
        where = f"broker {self.settings.url}"
        names = self._names(self.relation("pb:pacticipants"), "pacticipants")
        if pacticipant not in names:
            return (
                f"{where}: no pacticipant named {pacticipant!r}{did_you_mean(pacticipant, names)}"
            )
        if environment:
            envs = self._names(self.relation("pb:environments"), "environments")
            if environment not in envs:
                guess = did_you_mean(environment, envs)
                return f"{where}: no environment named {environment!r}{guess}"
        href = self.relation("pb:pacticipant", pacticipant=pacticipant)
        links = (self.request("GET", href) or {}).get("_links") or {}
        versions_href = (links.get("pb:versions") or {}).get("href")
        if not versions_href:
            return None
        answer = self.request("GET", versions_href) or {}
        versions = [
            v for v in (answer.get("_embedded") or {}).get("versions") or [] if isinstance(v, dict)
        ]
        numbers = [str(v.get("number")) for v in versions]
        if selector.version is not None and selector.version not in numbers:
            return (
                f"{where}: {pacticipant} has no version {selector.version!r}"
                f"{did_you_mean(selector.version, numbers)}"
            )

        def each(kind: str) -> list[str]:
            found = {
                str(x.get("name"))
                for v in versions
                for x in (v.get("_embedded") or {}).get(kind) or []
                if isinstance(x, dict)
            }
            return sorted(found)

        for name, kind, words in (
            (selector.branch, "branchVersions", "on branch"),
            (selector.tag, "tags", "tagged"),
        ):
            if name is not None and name not in each(kind):
                guess = did_you_mean(name, each(kind))
                return f"{where}: {pacticipant} has no version {words} {name!r}{guess}"
        if selector.main_branch and not versions:
            return f"{where}: {pacticipant} has no versions"
        return None

    def _environment(self, name: str) -> dict[str, Any]:
        """The environment called ``name`` (its resource), or a did-you-mean error."""
        answer = self.request("GET", self.relation("pb:environments")) or {}
        envs = [
            e
            for e in (answer.get("_embedded") or {}).get("environments") or []
            if isinstance(e, dict)
        ]
        for env in envs:
            if env.get("name") == name:
                return env
        names = [str(e.get("name")) for e in envs]
        raise AccordError(
            f"broker {self.settings.url}: no environment named {name!r}{did_you_mean(name, names)}"
        )

    def end(
        self,
        pacticipant: str,
        environment: str,
        *,
        release: bool = False,
        version: str | None = None,
        instance: str | None = None,
    ) -> list[str]:
        """Record that ``pacticipant`` is no longer deployed to ``environment`` (of one
        application ``instance``, or all), or that the support of its released ``version``
        there ended: the Pact CLI's ``record-undeployment`` and ``record-support-ended``.

        As the Pact CLI does: the environment's ``pb:currently-deployed-deployed-versions``
        (``pb:currently-supported-released-versions``) for the pacticipant, and a ``PATCH``
        of each record that matches with ``currentlyDeployed`` (``currentlySupported``)
        false. Returns the version numbers ended; none is an error naming what is there."""
        env = self._environment(environment)
        rel = (
            "pb:currently-supported-released-versions"
            if release
            else "pb:currently-deployed-deployed-versions"
        )
        href = ((env.get("_links") or {}).get(rel) or {}).get("href")
        if not href:
            raise AccordError(
                f"broker {self.settings.url}: environment {environment!r} has no {rel!r} relation"
            )
        key = "releasedVersions" if release else "deployedVersions"
        answer = self.request("GET", href + "?" + urlencode({"pacticipant": pacticipant})) or {}
        records = [r for r in (answer.get("_embedded") or {}).get(key) or [] if isinstance(r, dict)]
        records = [
            r
            for r in records
            if ((r.get("_embedded") or {}).get("pacticipant") or {}).get("name") == pacticipant
        ]

        def number(record: dict[str, Any]) -> str:
            return str(((record.get("_embedded") or {}).get("version") or {}).get("number", ""))

        def instance_of(record: dict[str, Any]) -> str | None:
            found = record.get("applicationInstance", record.get("target"))
            return found if isinstance(found, str) and found else None

        chosen = [
            r
            for r in records
            if (version is None or number(r) == version)
            and (instance is None or instance_of(r) == instance)
        ]
        if not records:
            found = self._unknown(pacticipant, VersionSelector(latest=True), None)
            if found is not None:
                raise AccordError(found)
        if not chosen:
            what = "released and supported" if release else "deployed"
            there = ", ".join(
                number(r) + (f" ({instance_of(r)})" if instance_of(r) else "") for r in records
            )
            asked = f" version {version}" if version else ""
            asked += f" (application instance {instance!r})" if instance else ""
            detail = f"; there: {there}" if there else ""
            names = (
                [number(r) for r in records]
                if version
                else [i for r in records if (i := instance_of(r))]
            )
            guess = did_you_mean(version or instance or "", names) if names else ""
            guess = guess if guess.startswith(" (did you mean") else ""
            raise AccordError(
                f"broker {self.settings.url}: {pacticipant}{asked} is not currently {what}"
                f" in {environment}{detail}{guess}"
            )
        body = {"currentlySupported": False} if release else {"currentlyDeployed": False}
        for record in chosen:
            self.request("PATCH", str(record["_links"]["self"]["href"]), body)
        return [number(r) for r in chosen]

    def environment_exists(self, name: str) -> bool:
        answer = self.request("GET", self.relation("pb:environments")) or {}
        envs = (answer.get("_embedded") or {}).get("environments") or []
        return any(e.get("name") == name for e in envs)

    def create_environment(self, name: str, *, production: bool = False) -> None:
        if not self.environment_exists(name):
            self.request(
                "POST",
                self.relation("pb:environments"),
                {"name": name, "displayName": name, "production": production},
            )

    def record(
        self,
        pacticipant: str,
        version: str,
        environment: str,
        *,
        release: bool = False,
        instance: str | None = None,
    ) -> None:
        """Record that ``version`` is deployed to (or released in) ``environment``."""
        href = self.relation("pb:pacticipant-version", pacticipant=pacticipant, version=version)
        try:
            resource = self.request("GET", href) or {}
        except AccordError as exc:
            found = self._unknown(pacticipant, VersionSelector(version=version), None)
            raise (exc if found is None else AccordError(found)) from None
        rel = "pb:record-release" if release else "pb:record-deployment"
        links = (resource.get("_links") or {}).get(rel) or []
        target = next((x["href"] for x in links if x.get("name") == environment), None)
        if target is None:
            names = [str(x.get("name")) for x in links if x.get("name")]
            guess = did_you_mean(environment, names) if names else ""
            raise AccordError(
                f"broker {self.settings.url}: no environment named {environment!r}{guess}"
                " (create it with: accord create-environment NAME)"
            )
        body = {"applicationInstance": instance} if instance else {}
        self.request("POST", target, body)


@dataclass(slots=True, frozen=True)
class VersionSelector:
    """Which version of a pacticipant: a number, or the latest (with a tag, on a branch,
    on its main branch). The Pact CLI's ``--version``, ``--latest [TAG]``, ``--branch``,
    ``--main-branch``."""

    version: str | None = None
    latest: bool = False
    tag: str | None = None
    branch: str | None = None
    main_branch: bool = False

    def query(self) -> list[tuple[str, str]]:
        """The matrix query's ``q[][...]`` parameters for this selector."""
        if self.version is not None:
            return [("q[][version]", self.version)]
        found = [("q[][latest]", "true")]
        if self.tag is not None:
            found.append(("q[][tag]", self.tag))
        if self.branch is not None:
            found.append(("q[][branch]", self.branch))
        if self.main_branch:
            found.append(("q[][mainBranch]", "true"))
        return found

    def describe(self) -> str:
        """In words, for messages: ``version 1``, ``the latest version on branch main``."""
        if self.version is not None:
            return f"version {self.version}"
        where = (
            f" tagged {self.tag}"
            if self.tag is not None
            else f" on branch {self.branch}"
            if self.branch is not None
            else " on its main branch"
            if self.main_branch
            else ""
        )
        return f"the latest version{where}"


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``known``, else `` (known: a, b)``, or
    ``""`` when there is nothing to name."""
    import difflib  # noqa: PLC0415

    names = sorted(set(known))
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    if close:
        return f" (did you mean {close[0]!r}?)"
    if not names:
        return " (there are none)"
    shown = ", ".join(names[:10]) + (", ..." if len(names) > 10 else "")
    return f" (known: {shown})"


def _expand(template: str, values: Mapping[str, str]) -> str:
    for key, value in values.items():
        template = template.replace("{" + key + "}", quote(value, safe=""))
    return template
