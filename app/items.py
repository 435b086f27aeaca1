"""POST /items (insert into Postgres, then enqueue a job in Redis) and GET /items/{id} (the item and its result)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Path, Request
from psycopg.rows import dict_row
from pydantic import BaseModel, Field
from redis.exceptions import RedisError

from app.jobs import PENDING, Job, new_job_id

router = APIRouter()


class ItemIn(BaseModel):
    name: str = Field(min_length=1, max_length=1000)


class ItemCreated(BaseModel):
    id: int
    job_id: str


class ItemOut(BaseModel):
    id: int
    name: str
    job_id: str
    created_at: datetime
    status: str
    result: dict[str, Any] | None = None
    processed_at: datetime | None = None
    worker_id: str | None = None


@router.post("/items", status_code=201, response_model=ItemCreated)
async def create_item(body: ItemIn, request: Request) -> ItemCreated:
    pool = request.app.state.pool
    job_id = new_job_id()
    async with pool.connection() as conn:
        cur = await conn.execute(
            "INSERT INTO items (name, job_id) VALUES (%s, %s) RETURNING id", (body.name, job_id)
        )
        row = await cur.fetchone()
    assert row is not None
    item_id = int(row[0])
    # Enqueue after the commit, so the worker never sees a job whose item is not visible yet.
    try:
        await request.app.state.redis.lpush(PENDING, Job(job_id=job_id, item_id=item_id, name=body.name).encode())
    except RedisError as exc:
        async with pool.connection() as conn:
            await conn.execute("DELETE FROM items WHERE id = %s", (item_id,))
        raise HTTPException(status_code=503, detail=f"redis unavailable: {type(exc).__name__}") from exc
    return ItemCreated(id=item_id, job_id=job_id)


@router.get("/items/{item_id}", response_model=ItemOut)
async def get_item(request: Request, item_id: int = Path(ge=1, le=2**63 - 1)) -> ItemOut:
    async with request.app.state.pool.connection() as conn:
        cur = conn.cursor(row_factory=dict_row)
        await cur.execute(
            "SELECT i.id, i.name, i.job_id, i.created_at, r.result, r.processed_at, r.worker_id"
            " FROM items i LEFT JOIN results r ON r.job_id = i.job_id WHERE i.id = %s",
            (item_id,),
        )
        row = await cur.fetchone()
    if row is None:
        raise HTTPException(status_code=404, detail=f"item {item_id} not found")
    return ItemOut(status="done" if row["result"] is not None else "pending", **row)
