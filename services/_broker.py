"""The shop's NATS JetStream set-up, shared by the services that publish and consume events."""

from __future__ import annotations

__all__ = ["ensure_stream"]


async def ensure_stream(nats_url: str, name: str, subjects: list[str]) -> None:
    """Create stream ``name`` over ``subjects`` (file storage) unless it exists already."""
    import nats  # noqa: PLC0415  (served processes only)
    from nats.js.api import StorageType, StreamConfig  # noqa: PLC0415
    from nats.js.errors import NotFoundError  # noqa: PLC0415

    conn = await nats.connect(nats_url, connect_timeout=2)
    try:
        js = conn.jetstream()
        try:
            await js.stream_info(name)
        except NotFoundError:
            await js.add_stream(
                StreamConfig(name=name, subjects=subjects, storage=StorageType.FILE)
            )
    finally:
        await conn.close()
