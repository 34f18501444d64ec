"""``accord crosscheck``: pact interactions checked against the provider's OpenAPI contract.

Each HTTP interaction is routed to its operation, then every registered check
(one small function each, see :func:`check`) compares one aspect: content
types, credentials, request body, headers and query, response status, headers
and body. Results use swagger-mock-validator's codes (``request.body.incompatible``,
``response.status.unknown``, ...) and carry both locations: the pact node and
the contract node. Bodies are validated with the contract's compiled validators;
response strictness follows :class:`CrosscheckOptions`, and a pact example
under a type-like matching rule only stands for its type. Message interactions are
checked against the provider's AsyncAPI document (:func:`crosscheck_messages`).
"""

from accord.crosscheck._exchange import CHECKS, Exchange, check
from accord.crosscheck._messages import crosscheck_messages
from accord.crosscheck._model import CODES, MESSAGE_CODES, CrosscheckOptions, Mismatch, describe
from accord.crosscheck._runner import UNUSABLE, crosscheck, crosscheck_workspace, route

__all__ = [
    "CHECKS",
    "CODES",
    "MESSAGE_CODES",
    "UNUSABLE",
    "CrosscheckOptions",
    "Exchange",
    "Mismatch",
    "check",
    "crosscheck",
    "crosscheck_messages",
    "crosscheck_workspace",
    "describe",
    "route",
]
