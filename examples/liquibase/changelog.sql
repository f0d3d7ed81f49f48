--liquibase formatted sql

--changeset alice:1
CREATE TABLE events (id bigint PRIMARY KEY, kind text NOT NULL, at timestamptz NOT NULL);

--changeset alice:2
CREATE INDEX CONCURRENTLY events_kind_idx ON events (kind);
--rollback DROP INDEX CONCURRENTLY events_kind_idx;

--changeset bob:3 runInTransaction:false
CREATE INDEX CONCURRENTLY events_at_idx ON events (at);
