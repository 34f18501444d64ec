"""Round trip through the generated code: contract examples -> generated client ->
generated server stub (connexion, in-process) -> responses valid against the contract."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
from generated.catalog import client as catalog_client
from generated.catalog import server as catalog_server
from generated.orders import client as orders_client
from generated.orders import models as orders_models
from generated.orders import server as orders_server
from generated.payments import client as payments_client
from generated.payments import server as payments_server
from generated.runtime import ApiError
from pydantic import TypeAdapter

from accord import Contract, Direction
from accord.core import SchemaNode, SchemaResolver
from accord.runtime import OperationSpec, StubError, mint_token

REPO = Path(__file__).resolve().parents[2]
ALL_SCOPES = (
    "catalog:read catalog:write stock:reserve orders:read orders:write "
    "payments:read payments:charge payments:refund"
)


def jwt(scope: str = ALL_SCOPES, sub: str = "user-1") -> str:
    """A signed JWT: with no key configured the stubs read its claims (the gateway verifies
    signatures), but they never accept an unsigned one."""
    return mint_token({"sub": sub, "scope": scope}, "roundtrip-secret")


SERVICES = {
    "catalog": (catalog_server, catalog_client, "CatalogClient"),
    "orders": (orders_server, orders_client, "OrdersClient"),
    "payments": (payments_server, payments_client, "PaymentsClient"),
}


def _example(contract: Contract, operation_id: str, status: int) -> Any:
    op = contract.operation_by_id(operation_id)
    assert op is not None
    response = op.responses[str(status)]
    media = next(iter(response.content.values()))
    assert media.examples, f"{operation_id} {status} has no example"
    return media.examples[0].value


class ExampleService:
    """Answers every operation with its first documented 2xx example, parsed into the model."""

    def __init__(self, contract: Contract, operations: dict[str, OperationSpec]) -> None:
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
        for op_id, spec in operations.items():
            setattr(self, spec.handler, self._handler(contract, op_id, spec))

    def _handler(self, contract: Contract, op_id: str, spec: OperationSpec) -> Any:
        kind = spec.responses[spec.default_status][0]

        def handle(*args: Any, **kwargs: Any) -> Any:
            self.calls.append((op_id, args, kwargs))
            if kind is None:
                return None
            return TypeAdapter(kind).validate_python(_example(contract, op_id, spec.default_status))

        return handle


def _request_args(
    contract: Contract, view_op: Any, spec: OperationSpec
) -> tuple[list[Any], dict[str, Any]]:
    """Arguments for the client method, taken from the contract's own examples."""
    args: list[Any] = []
    for name, _python in spec.path_params:
        param = view_op.parameter("path", name)
        example = param.examples[0].value if param.examples else None
        args.append(example if example is not None else _path_example(param, contract))
    if spec.body is not None:
        media = next(iter(view_op.request_body.content.values()))
        args.append(TypeAdapter(spec.body).validate_python(media.examples[0].value))
    kwargs: dict[str, Any] = {}
    for location, params in (("query", spec.query_params), ("header", spec.header_params)):
        for name, python in params:
            param = view_op.parameter(location, name)
            if param.required:
                kwargs[python] = (
                    param.examples[0].value if param.examples else _path_example(param, contract)
                )
    return args, kwargs


def _path_example(param: Any, contract: Contract) -> str:
    place = param.schema.place
    node = SchemaResolver(contract).deref(SchemaNode(param.schema.value, place.file, place.pointer))
    pattern = (node.value or {}).get("pattern", "")
    prefix = pattern[1:].split("_", 1)[0] if pattern.startswith("^") and "_" in pattern else "x"
    return f"{prefix}_Abcdefgh12"


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_every_operation_round_trips(service: str) -> None:
    server, client_module, client_name = SERVICES[service]
    contract = Contract.from_path(server.CONTRACT)
    impl = ExampleService(contract, server.OPERATIONS)
    app = server.create_app(impl)  # type: ignore[arg-type]
    transport = httpx.ASGITransport(app=app)

    async def run() -> None:
        async with httpx.AsyncClient(transport=transport, base_url="http://shop.test") as http:
            api = getattr(client_module, "Async" + client_name)(client=http, token=jwt())
            for op_id, spec in server.OPERATIONS.items():
                op = contract.operation_by_id(op_id)
                args, kwargs = _request_args(contract, op, spec)
                result = await getattr(api, spec.handler)(*args, **kwargs)
                expected = _example(contract, op_id, spec.default_status)
                response_schema = next(
                    iter(op.responses[str(spec.default_status)].content.values())
                ).schema
                validator = contract.validator(response_schema, Direction.RESPONSE)
                dumped = TypeAdapter(Any).dump_python(
                    result, mode="json", by_alias=True, exclude_unset=True
                )
                assert validator.violations(dumped) == [], op_id
                assert dumped == expected, op_id

    asyncio.run(run())
    assert [call[0] for call in impl.calls] == list(server.OPERATIONS)


def test_request_body_reaches_the_handler_as_a_model() -> None:
    contract = Contract.from_path(orders_server.CONTRACT)
    impl = ExampleService(contract, orders_server.OPERATIONS)
    app = orders_server.create_app(impl)  # type: ignore[arg-type]
    with httpx.Client(transport=_SyncASGI(app), base_url="http://shop.test") as http:
        api = orders_client.OrdersClient(client=http, token=jwt())
        body = orders_models.OrderCreate.model_validate(
            next(iter(contract.operation_by_id("createOrder").request_body.content.values()))
            .examples[0]
            .value
        )
        order = api.create_order(body, idempotency_key="order-key-12345678")
    assert isinstance(order, orders_models.Order)
    op_id, args, kwargs = impl.calls[-1]
    assert op_id == "createOrder"
    assert isinstance(args[0], orders_models.OrderCreate) and args[0] == body
    assert kwargs == {"idempotency_key": "order-key-12345678"}


def test_invalid_request_is_rejected_by_the_stub_with_problem_json() -> None:
    contract = Contract.from_path(orders_server.CONTRACT)
    app = orders_server.create_app(ExampleService(contract, orders_server.OPERATIONS))  # type: ignore[arg-type]
    with httpx.Client(transport=_SyncASGI(app), base_url="http://shop.test") as http:
        response = http.post(
            "/orders", json={"lines": []}, headers={"Authorization": f"Bearer {jwt()}"}
        )
        assert response.status_code == 400
        assert response.headers["content-type"].startswith("application/problem+json")
        with pytest.raises(ApiError) as caught:
            orders_client.OrdersClient(client=http, token=jwt()).get_order("nope")
    assert caught.value.status in (400, 404)
    assert (
        caught.value.problem is not None and caught.value.problem["status"] == caught.value.status
    )


def test_missing_handler_fails_at_start_up_naming_the_operation() -> None:
    class Incomplete:
        def list_orders(self, **kwargs: Any) -> Any:
            return None

    with pytest.raises(StubError) as caught:
        orders_server.create_app(Incomplete())  # type: ignore[arg-type]
    message = str(caught.value)
    assert "createOrder (method create_order)" in message
    assert "cancelOrder (method cancel_order)" in message
    assert "listOrders" not in message


class _SyncASGI(httpx.BaseTransport):
    """Drive an ASGI app from a sync httpx client (the sync client's tests)."""

    def __init__(self, app: Any) -> None:
        self._transport = httpx.ASGITransport(app=app)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        async def run() -> httpx.Response:
            response = await self._transport.handle_async_request(request)
            content = b"".join([chunk async for chunk in response.stream])  # type: ignore[union-attr]
            return httpx.Response(response.status_code, headers=response.headers, content=content)

        return asyncio.run(run())


def test_scopes_are_enforced_per_operation() -> None:
    contract = Contract.from_path(orders_server.CONTRACT)
    app = orders_server.create_app(ExampleService(contract, orders_server.OPERATIONS))  # type: ignore[arg-type]
    with httpx.Client(transport=_SyncASGI(app), base_url="http://shop.test") as http:
        assert http.get("/orders").status_code == 401
        reader = orders_client.OrdersClient(client=http, token=jwt("orders:read"))
        assert reader.list_orders().items
        with pytest.raises(ApiError) as caught:
            reader.cancel_order("ord_Q4m8TzR2vW6y")
        assert caught.value.status == 403
