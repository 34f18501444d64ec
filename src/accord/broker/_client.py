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

__all__ = ["BrokerClient", "BrokerSettings", "PactToVerify"]


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
        self, pacticipant: str, version: str, environment: str | None = None
    ) -> dict[str, Any]:
        """The matrix answer for ``pacticipant`` ``version`` against ``environment``
        (or the latest version of everything it integrates with)."""
        params: list[tuple[str, str]] = [
            ("q[][pacticipant]", pacticipant),
            ("q[][version]", version),
        ]
        if environment:
            params += [("latestby", "cvpv"), ("environment", environment)]
        else:
            params += [("latestby", "cvp"), ("latest", "true")]
        answer = self.request("GET", "/matrix?" + urlencode(params))
        if not isinstance(answer, dict):
            raise AccordError(f"broker {self.settings.url}: the matrix answer is not an object")
        return answer

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
        resource = self.request("GET", href) or {}
        rel = "pb:record-release" if release else "pb:record-deployment"
        links = (resource.get("_links") or {}).get(rel) or []
        target = next((x["href"] for x in links if x.get("name") == environment), None)
        if target is None:
            raise AccordError(
                f"broker {self.settings.url}: no environment named {environment!r}"
                " (create it first: accord broker-environment NAME)"
            )
        body = {"applicationInstance": instance} if instance else {}
        self.request("POST", target, body)


def _expand(template: str, values: Mapping[str, str]) -> str:
    for key, value in values.items():
        template = template.replace("{" + key + "}", quote(value, safe=""))
    return template
