
SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

CREATE SCHEMA {schema};

SET default_tablespace = '';

SET default_table_access_method = heap;

CREATE TABLE {schema}.batches (
    batch_id uuid NOT NULL,
    device_id text NOT NULL,
    received_at timestamp with time zone DEFAULT now() NOT NULL,
    case_count bigint NOT NULL,
    reply jsonb
);

CREATE TABLE {schema}.case_events (
    case_id uuid NOT NULL,
    revision bigint NOT NULL,
    event_count bigint NOT NULL,
    events jsonb NOT NULL
);

CREATE TABLE {schema}.case_facts (
    case_id uuid NOT NULL,
    district_id text NOT NULL,
    building_number bigint NOT NULL,
    dwelling_number bigint NOT NULL,
    household_number bigint,
    status text NOT NULL,
    enumerator_id text NOT NULL,
    persons bigint NOT NULL,
    head_key text,
    lat double precision,
    lon double precision,
    first_at bigint,
    last_at bigint,
    last_day text,
    active_seconds bigint NOT NULL,
    outside_m double precision
);

CREATE TABLE {schema}.cases (
    case_id uuid NOT NULL,
    revision bigint NOT NULL,
    district_id text NOT NULL,
    building_number bigint NOT NULL,
    dwelling_number bigint NOT NULL,
    household_number bigint,
    questionnaire_id text NOT NULL,
    questionnaire_version text NOT NULL,
    status text NOT NULL,
    long_form jsonb,
    case_json jsonb NOT NULL,
    updated_at text NOT NULL,
    device_id text NOT NULL,
    batch_id uuid NOT NULL,
    received_at timestamp with time zone DEFAULT now() NOT NULL,
    last_seq bigint DEFAULT 0 NOT NULL
);

CREATE TABLE {schema}.devices (
    device_id text NOT NULL,
    enumerator_id text NOT NULL,
    public_key bytea NOT NULL,
    token_hash bytea NOT NULL,
    districts jsonb NOT NULL,
    enrolled_at timestamp with time zone DEFAULT now() NOT NULL,
    revoked_at timestamp with time zone
);

CREATE TABLE {schema}.district_extents (
    district_id text NOT NULL,
    lat_min double precision NOT NULL,
    lat_max double precision NOT NULL,
    lon_min double precision NOT NULL,
    lon_max double precision NOT NULL,
    boundary text
);

CREATE TABLE {schema}.districts (
    district_id text NOT NULL,
    control_sector text NOT NULL,
    supervision_zone text NOT NULL,
    commune text NOT NULL,
    province text NOT NULL,
    region text NOT NULL,
    expected_buildings bigint NOT NULL,
    expected_dwellings bigint NOT NULL,
    expected_households bigint NOT NULL,
    rate_per_mille integer NOT NULL,
    random_start integer NOT NULL,
    take_all boolean NOT NULL
);

CREATE TABLE {schema}.enrolment_codes (
    code_hash bytea NOT NULL,
    enumerator_id text NOT NULL,
    districts jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    used_by text
);

CREATE TABLE {schema}.frame_buildings (
    district_id text NOT NULL,
    building_number bigint NOT NULL,
    lat double precision,
    lon double precision,
    description text DEFAULT ''::text NOT NULL
);

CREATE TABLE {schema}.head_counts (
    head_key text NOT NULL,
    persons bigint NOT NULL,
    cases bigint NOT NULL
);

CREATE TABLE {schema}.listed_buildings (
    district_id text NOT NULL,
    building_number bigint NOT NULL,
    lat double precision,
    lon double precision,
    listed_at text NOT NULL,
    device_id text NOT NULL
);

CREATE TABLE {schema}.listed_dwellings (
    district_id text NOT NULL,
    building_number bigint NOT NULL,
    dwelling_number bigint NOT NULL,
    occupancy text NOT NULL,
    listed_at text NOT NULL,
    device_id text NOT NULL
);

CREATE TABLE {schema}.omitted_dwellings (
    district_id text NOT NULL,
    building_number bigint NOT NULL,
    dwelling_number bigint NOT NULL
);

CREATE TABLE {schema}.repeated_numbers (
    district_id text NOT NULL,
    building_number bigint NOT NULL,
    dwelling_number bigint NOT NULL,
    household_number bigint NOT NULL
);

CREATE TABLE {schema}.reviewers (
    token_hash bytea NOT NULL,
    name text NOT NULL,
    role text NOT NULL,
    scope_level text NOT NULL,
    scope_id text NOT NULL,
    created_at text NOT NULL,
    revoked_at timestamp with time zone
);

CREATE TABLE {schema}.reviews (
    cursor bigint NOT NULL,
    case_id uuid NOT NULL,
    revision bigint NOT NULL,
    decision text NOT NULL,
    comment text NOT NULL,
    at text NOT NULL,
    reviewer text,
    reviewer_role text,
    revision_read bigint
);

CREATE SEQUENCE {schema}.reviews_cursor_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE {schema}.reviews_cursor_seq OWNED BY {schema}.reviews.cursor;

CREATE TABLE {schema}.server_meta (
    key text NOT NULL,
    value text NOT NULL
);

CREATE TABLE {schema}.tally_cases (
    district_id text NOT NULL,
    status text NOT NULL,
    cases bigint NOT NULL,
    persons bigint NOT NULL
);

CREATE TABLE {schema}.tally_days (
    district_id text NOT NULL,
    enumerator_id text NOT NULL,
    day text NOT NULL,
    households bigint NOT NULL,
    persons bigint NOT NULL,
    active_seconds bigint NOT NULL
);

CREATE TABLE {schema}.tally_listing (
    district_id text NOT NULL,
    buildings bigint NOT NULL,
    dwellings bigint NOT NULL,
    occupied bigint NOT NULL
);

CREATE TABLE {schema}.unvisited_buildings (
    district_id text NOT NULL,
    building_number bigint NOT NULL
);

ALTER TABLE ONLY {schema}.reviews ALTER COLUMN cursor SET DEFAULT nextval('{schema}.reviews_cursor_seq'::regclass);

INSERT INTO {schema}.batches VALUES ('327fb705-9017-4a7d-9821-d4c85a544da1', 'tab-durable', '2026-12-04 18:37:59.813099+00', 5, '{"results": [{"case_id": "6072e9fc-7d5f-46c9-9d30-ec871ceb3eef", "outcome": {"kind": "stored"}, "revision": 1}, {"case_id": "c2b165a9-536a-4728-87ef-e5354e06ab60", "outcome": {"kind": "stored"}, "revision": 1}, {"case_id": "55610b37-bb2a-4967-9fa5-6f28620302c4", "outcome": {"kind": "stored"}, "revision": 1}, {"case_id": "2045432f-7386-43f5-bcfa-dc8d61c9c992", "outcome": {"kind": "stored"}, "revision": 1}, {"case_id": "fe1e9776-917b-4b4c-a1b5-506a53e34a52", "outcome": {"kind": "stored"}, "revision": 1}], "batch_id": "327fb705-9017-4a7d-9821-d4c85a544da1"}');
INSERT INTO {schema}.batches VALUES ('21f5b818-7f73-4121-91f6-db8345b8b74e', 'tab-durable', '2026-12-04 18:38:00.023025+00', 5, '{"results": [{"case_id": "6072e9fc-7d5f-46c9-9d30-ec871ceb3eef", "outcome": {"kind": "already_had"}, "revision": 1}, {"case_id": "c2b165a9-536a-4728-87ef-e5354e06ab60", "outcome": {"kind": "already_had"}, "revision": 1}, {"case_id": "55610b37-bb2a-4967-9fa5-6f28620302c4", "outcome": {"kind": "already_had"}, "revision": 1}, {"case_id": "2045432f-7386-43f5-bcfa-dc8d61c9c992", "outcome": {"kind": "already_had"}, "revision": 1}, {"case_id": "fe1e9776-917b-4b4c-a1b5-506a53e34a52", "outcome": {"kind": "already_had"}, "revision": 1}], "batch_id": "21f5b818-7f73-4121-91f6-db8345b8b74e"}');

INSERT INTO {schema}.case_events VALUES ('6072e9fc-7d5f-46c9-9d30-ec871ceb3eef', 1, 25, '[{"at": "2024-09-02T10:00:00Z", "new": "12 rue des Orangers", "old": null, "seq": 1, "kind": "answer", "screen": "persons", "item_id": "d_address", "row_path": ""}, {"at": "2024-09-02T10:00:00Z", "new": "1", "old": null, "seq": 2, "kind": "answer", "screen": "persons", "item_id": "d_type", "row_path": ""}, {"at": "2024-09-02T10:00:00Z", "new": "1", "old": null, "seq": 3, "kind": "answer", "screen": "persons", "item_id": "d_occupancy", "row_path": ""}, {"at": "2024-09-02T10:00:00Z", "new": 3, "old": null, "seq": 4, "kind": "answer", "screen": "persons", "item_id": "d_rooms", "row_path": ""}, {"at": "2024-09-02T10:00:00Z", "new": {"lat": 34.02, "lon": -6.83, "accuracy_m": 8.0}, "old": null, "seq": 5, "kind": "answer", "screen": "persons", "item_id": "d_gps", "row_path": ""}, {"at": "2024-09-02T10:00:00Z", "new": "Respondent", "old": null, "seq": 6, "kind": "answer", "screen": "persons", "item_id": "hh_respondent_name", "row_path": "households.1"}, {"at": "2024-09-02T10:00:00Z", "new": 3, "old": null, "seq": 7, "kind": "answer", "screen": "persons", "item_id": "hh_size_declared", "row_path": "households.1"}, {"at": "2024-09-02T10:00:00Z", "new": "Person1 Case1", "old": null, "seq": 8, "kind": "answer", "screen": "persons", "item_id": "p_name", "row_path": "households.1/persons.2"}, {"at": "2024-09-02T10:00:00Z", "new": "01", "old": null, "seq": 9, "kind": "answer", "screen": "persons", "item_id": "p_relationship", "row_path": "households.1/persons.2"}, {"at": "2024-09-02T10:00:00Z", "new": "1", "old": null, "seq": 10, "kind": "answer", "screen": "persons", "item_id": "p_sex", "row_path": "households.1/persons.2"}, {"at": "2024-09-02T10:00:00Z", "new": 27, "old": null, "seq": 11, "kind": "answer", "screen": "persons", "item_id": "p_age", "row_path": "households.1/persons.2"}, {"at": "2024-09-02T10:00:00Z", "new": "1", "old": null, "seq": 12, "kind": "answer", "screen": "persons", "item_id": "p_marital", "row_path": "households.1/persons.2"}, {"at": "2024-09-02T10:00:00Z", "new": "1", "old": null, "seq": 13, "kind": "answer", "screen": "persons", "item_id": "p_nationality", "row_path": "households.1/persons.2"}, {"at": "2024-09-02T10:00:00Z", "new": "Person2 Case1", "old": null, "seq": 14, "kind": "answer", "screen": "persons", "item_id": "p_name", "row_path": "households.1/persons.3"}, {"at": "2024-09-02T10:00:00Z", "new": "03", "old": null, "seq": 15, "kind": "answer", "screen": "persons", "item_id": "p_relationship", "row_path": "households.1/persons.3"}, {"at": "2024-09-02T10:00:00Z", "new": "2", "old": null, "seq": 16, "kind": "answer", "screen": "persons", "item_id": "p_sex", "row_path": "households.1/persons.3"}, {"at": "2024-09-02T10:00:00Z", "new": 34, "old": null, "seq": 17, "kind": "answer", "screen": "persons", "item_id": "p_age", "row_path": "households.1/persons.3"}, {"at": "2024-09-02T10:00:00Z", "new": "1", "old": null, "seq": 18, "kind": "answer", "screen": "persons", "item_id": "p_marital", "row_path": "households.1/persons.3"}, {"at": "2024-09-02T10:00:00Z", "new": "1", "old": null, "seq": 19, "kind": "answer", "screen": "persons", "item_id": "p_nationality", "row_path": "households.1/persons.3"}, {"at": "2024-09-02T10:00:00Z", "new": "Person3 Case1", "old": null, "seq": 20, "kind": "answer", "screen": "persons", "item_id": "p_name", "row_path": "households.1/persons.4"}, {"at": "2024-09-02T10:00:00Z", "new": "03", "old": null, "seq": 21, "kind": "answer", "screen": "persons", "item_id": "p_relationship", "row_path": "households.1/persons.4"}, {"at": "2024-09-02T10:00:00Z", "new": "1", "old": null, "seq": 22, "kind": "answer", "screen": "persons", "item_id": "p_sex", "row_path": "households.1/persons.4"}, {"at": "2024-09-02T10:00:00Z", "new": 41, "old": null, "seq": 23, "kind": "answer", "screen": "persons", "item_id": "p_age", "row_path": "households.1/persons.4"}, {"at": "2024-09-02T10:00:00Z", "new": "1", "old": null, "seq": 24, "kind": "answer", "screen": "persons", "item_id": "p_marital", "row_path": "households.1/persons.4"}, {"at": "2024-09-02T10:00:00Z", "new": "1", "old": null, "seq": 25, "kind": "answer", "screen": "persons", "item_id": "p_nationality", "row_path": "households.1/persons.4"}]');
INSERT INTO {schema}.case_events VALUES ('c2b165a9-536a-4728-87ef-e5354e06ab60', 1, 25, '[{"at": "2024-09-02T10:00:00Z", "new": "12 rue des Orangers", "old": null, "seq": 1, "kind": "answer", "screen": "persons", "item_id": "d_address", "row_path": ""}, {"at": "2024-09-02T10:00:00Z", "new": "1", "old": null, "seq": 2, "kind": "answer", "screen": "persons", "item_id": "d_type", "row_path": ""}, {"at": "2024-09-02T10:00:00Z", "new": "1", "old": null, "seq": 3, "kind": "answer", "screen": "persons", "item_id": "d_occupancy", "row_path": ""}, {"at": "2024-09-02T10:00:00Z", "new": 3, "old": null, "seq": 4, "kind": "answer", "screen": "persons", "item_id": "d_rooms", "row_path": ""}, {"at": "2024-09-02T10:00:00Z", "new": {"lat": 34.02, "lon": -6.83, "accuracy_m": 8.0}, "old": null, "seq": 5, "kind": "answer", "screen": "persons", "item_id": "d_gps", "row_path": ""}, {"at": "2024-09-02T10:00:00Z", "new": "Respondent", "old": null, "seq": 6, "kind": "answer", "screen": "persons", "item_id": "hh_respondent_name", "row_path": "households.1"}, {"at": "2024-09-02T10:00:00Z", "new": 3, "old": null, "seq": 7, "kind": "answer", "screen": "persons", "item_id": "hh_size_declared", "row_path": "households.1"}, {"at": "2024-09-02T10:00:00Z", "new": "Person1 Case2", "old": null, "seq": 8, "kind": "answer", "screen": "persons", "item_id": "p_name", "row_path": "households.1/persons.2"}, {"at": "2024-09-02T10:00:00Z", "new": "01", "old": null, "seq": 9, "kind": "answer", "screen": "persons", "item_id": "p_relationship", "row_path": "households.1/persons.2"}, {"at": "2024-09-02T10:00:00Z", "new": "1", "old": null, "seq": 10, "kind": "answer", "screen": "persons", "item_id": "p_sex", "row_path": "households.1/persons.2"}, {"at": "2024-09-02T10:00:00Z", "new": 27, "old": null, "seq": 11, "kind": "answer", "screen": "persons", "item_id": "p_age", "row_path": "households.1/persons.2"}, {"at": "2024-09-02T10:00:00Z", "new": "1", "old": null, "seq": 12, "kind": "answer", "screen": "persons", "item_id": "p_marital", "row_path": "households.1/persons.2"}, {"at": "2024-09-02T10:00:00Z", "new": "1", "old": null, "seq": 13, "kind": "answer", "screen": "persons", "item_id": "p_nationality", "row_path": "households.1/persons.2"}, {"at": "2024-09-02T10:00:00Z", "new": "Person2 Case2", "old": null, "seq": 14, "kind": "answer", "screen": "persons", "item_id": "p_name", "row_path": "households.1/persons.3"}, {"at": "2024-09-02T10:00:00Z", "new": "03", "old": null, "seq": 15, "kind": "answer", "screen": "persons", "item_id": "p_relationship", "row_path": "households.1/persons.3"}, {"at": "2024-09-02T10:00:00Z", "new": "2", "old": null, "seq": 16, "kind": "answer", "screen": "persons", "item_id": "p_sex", "row_path": "households.1/persons.3"}, {"at": "2024-09-02T10:00:00Z", "new": 34, "old": null, "seq": 17, "kind": "answer", "screen": "persons", "item_id": "p_age", "row_path": "households.1/persons.3"}, {"at": "2024-09-02T10:00:00Z", "new": "1", "old": null, "seq": 18, "kind": "answer", "screen": "persons", "item_id": "p_marital", "row_path": "households.1/persons.3"}, {"at": "2024-09-02T10:00:00Z", "new": "1", "old": null, "seq": 19, "kind": "answer", "screen": "persons", "item_id": "p_nationality", "row_path": "households.1/persons.3"}, {"at": "2024-09-02T10:00:00Z", "new": "Person3 Case2", "old": null, "seq": 20, "kind": "answer", "screen": "persons", "item_id": "p_name", "row_path": "households.1/persons.4"}, {"at": "2024-09-02T10:00:00Z", "new": "03", "old": null, "seq": 21, "kind": "answer", "screen": "persons", "item_id": "p_relationship", "row_path": "households.1/persons.4"}, {"at": "2024-09-02T10:00:00Z", "new": "1", "old": null, "seq": 22, "kind": "answer", "screen": "persons", "item_id": "p_sex", "row_path": "households.1/persons.4"}, {"at": "2024-09-02T10:00:00Z", "new": 41, "old": null, "seq": 23, "kind": "answer", "screen": "persons", "item_id": "p_age", "row_path": "households.1/persons.4"}, {"at": "2024-09-02T10:00:00Z", "new": "1", "old": null, "seq": 24, "kind": "answer", "screen": "persons", "item_id": "p_marital", "row_path": "households.1/persons.4"}, {"at": "2024-09-02T10:00:00Z", "new": "1", "old": null, "seq": 25, "kind": "answer", "screen": "persons", "item_id": "p_nationality", "row_path": "households.1/persons.4"}]');
INSERT INTO {schema}.case_events VALUES ('55610b37-bb2a-4967-9fa5-6f28620302c4', 1, 25, '[{"at": "2024-09-02T10:00:00Z", "new": "12 rue des Orangers", "old": null, "seq": 1, "kind": "answer", "screen": "persons", "item_id": "d_address", "row_path": ""}, {"at": "2024-09-02T10:00:00Z", "new": "1", "old": null, "seq": 2, "kind": "answer", "screen": "persons", "item_id": "d_type", "row_path": ""}, {"at": "2024-09-02T10:00:00Z", "new": "1", "old": null, "seq": 3, "kind": "answer", "screen": "persons", "item_id": "d_occupancy", "row_path": ""}, {"at": "2024-09-02T10:00:00Z", "new": 3, "old": null, "seq": 4, "kind": "answer", "screen": "persons", "item_id": "d_rooms", "row_path": ""}, {"at": "2024-09-02T10:00:00Z", "new": {"lat": 34.02, "lon": -6.83, "accuracy_m": 8.0}, "old": null, "seq": 5, "kind": "answer", "screen": "persons", "item_id": "d_gps", "row_path": ""}, {"at": "2024-09-02T10:00:00Z", "new": "Respondent", "old": null, "seq": 6, "kind": "answer", "screen": "persons", "item_id": "hh_respondent_name", "row_path": "households.1"}, {"at": "2024-09-02T10:00:00Z", "new": 3, "old": null, "seq": 7, "kind": "answer", "screen": "persons", "item_id": "hh_size_declared", "row_path": "households.1"}, {"at": "2024-09-02T10:00:00Z", "new": "Person1 Case3", "old": null, "seq": 8, "kind": "answer", "screen": "persons", "item_id": "p_name", "row_path": "households.1/persons.2"}, {"at": "2024-09-02T10:00:00Z", "new": "01", "old": null, "seq": 9, "kind": "answer", "screen": "persons", "item_id": "p_relationship", "row_path": "households.1/persons.2"}, {"at": "2024-09-02T10:00:00Z", "new": "1", "old": null, "seq": 10, "kind": "answer", "screen": "persons", "item_id": "p_sex", "row_path": "households.1/persons.2"}, {"at": "2024-09-02T10:00:00Z", "new": 27, "old": null, "seq": 11, "kind": "answer", "screen": "persons", "item_id": "p_age", "row_path": "households.1/persons.2"}, {"at": "2024-09-02T10:00:00Z", "new": "1", "old": null, "seq": 12, "kind": "answer", "screen": "persons", "item_id": "p_marital", "row_path": "households.1/persons.2"}, {"at": "2024-09-02T10:00:00Z", "new": "1", "old": null, "seq": 13, "kind": "answer", "screen": "persons", "item_id": "p_nationality", "row_path": "households.1/persons.2"}, {"at": "2024-09-02T10:00:00Z", "new": "Person2 Case3", "old": null, "seq": 14, "kind": "answer", "screen": "persons", "item_id": "p_name", "row_path": "households.1/persons.3"}, {"at": "2024-09-02T10:00:00Z", "new": "03", "old": null, "seq": 15, "kind": "answer", "screen": "persons", "item_id": "p_relationship", "row_path": "households.1/persons.3"}, {"at": "2024-09-02T10:00:00Z", "new": "2", "old": null, "seq": 16, "kind": "answer", "screen": "persons", "item_id": "p_sex", "row_path": "households.1/persons.3"}, {"at": "2024-09-02T10:00:00Z", "new": 34, "old": null, "seq": 17, "kind": "answer", "screen": "persons", "item_id": "p_age", "row_path": "households.1/persons.3"}, {"at": "2024-09-02T10:00:00Z", "new": "1", "old": null, "seq": 18, "kind": "answer", "screen": "persons", "item_id": "p_marital", "row_path": "households.1/persons.3"}, {"at": "2024-09-02T10:00:00Z", "new": "1", "old": null, "seq": 19, "kind": "answer", "screen": "persons", "item_id": "p_nationality", "row_path": "households.1/persons.3"}, {"at": "2024-09-02T10:00:00Z", "new": "Person3 Case3", "old": null, "seq": 20, "kind": "answer", "screen": "persons", "item_id": "p_name", "row_path": "households.1/persons.4"}, {"at": "2024-09-02T10:00:00Z", "new": "03", "old": null, "seq": 21, "kind": "answer", "screen": "persons", "item_id": "p_relationship", "row_path": "households.1/persons.4"}, {"at": "2024-09-02T10:00:00Z", "new": "1", "old": null, "seq": 22, "kind": "answer", "screen": "persons", "item_id": "p_sex", "row_path": "households.1/persons.4"}, {"at": "2024-09-02T10:00:00Z", "new": 41, "old": null, "seq": 23, "kind": "answer", "screen": "persons", "item_id": "p_age", "row_path": "households.1/persons.4"}, {"at": "2024-09-02T10:00:00Z", "new": "1", "old": null, "seq": 24, "kind": "answer", "screen": "persons", "item_id": "p_marital", "row_path": "households.1/persons.4"}, {"at": "2024-09-02T10:00:00Z", "new": "1", "old": null, "seq": 25, "kind": "answer", "screen": "persons", "item_id": "p_nationality", "row_path": "households.1/persons.4"}]');
INSERT INTO {schema}.case_events VALUES ('2045432f-7386-43f5-bcfa-dc8d61c9c992', 1, 25, '[{"at": "2024-09-02T10:00:00Z", "new": "12 rue des Orangers", "old": null, "seq": 1, "kind": "answer", "screen": "persons", "item_id": "d_address", "row_path": ""}, {"at": "2024-09-02T10:00:00Z", "new": "1", "old": null, "seq": 2, "kind": "answer", "screen": "persons", "item_id": "d_type", "row_path": ""}, {"at": "2024-09-02T10:00:00Z", "new": "1", "old": null, "seq": 3, "kind": "answer", "screen": "persons", "item_id": "d_occupancy", "row_path": ""}, {"at": "2024-09-02T10:00:00Z", "new": 3, "old": null, "seq": 4, "kind": "answer", "screen": "persons", "item_id": "d_rooms", "row_path": ""}, {"at": "2024-09-02T10:00:00Z", "new": {"lat": 34.02, "lon": -6.83, "accuracy_m": 8.0}, "old": null, "seq": 5, "kind": "answer", "screen": "persons", "item_id": "d_gps", "row_path": ""}, {"at": "2024-09-02T10:00:00Z", "new": "Respondent", "old": null, "seq": 6, "kind": "answer", "screen": "persons", "item_id": "hh_respondent_name", "row_path": "households.1"}, {"at": "2024-09-02T10:00:00Z", "new": 3, "old": null, "seq": 7, "kind": "answer", "screen": "persons", "item_id": "hh_size_declared", "row_path": "households.1"}, {"at": "2024-09-02T10:00:00Z", "new": "Person1 Case4", "old": null, "seq": 8, "kind": "answer", "screen": "persons", "item_id": "p_name", "row_path": "households.1/persons.2"}, {"at": "2024-09-02T10:00:00Z", "new": "01", "old": null, "seq": 9, "kind": "answer", "screen": "persons", "item_id": "p_relationship", "row_path": "households.1/persons.2"}, {"at": "2024-09-02T10:00:00Z", "new": "1", "old": null, "seq": 10, "kind": "answer", "screen": "persons", "item_id": "p_sex", "row_path": "households.1/persons.2"}, {"at": "2024-09-02T10:00:00Z", "new": 27, "old": null, "seq": 11, "kind": "answer", "screen": "persons", "item_id": "p_age", "row_path": "households.1/persons.2"}, {"at": "2024-09-02T10:00:00Z", "new": "1", "old": null, "seq": 12, "kind": "answer", "screen": "persons", "item_id": "p_marital", "row_path": "households.1/persons.2"}, {"at": "2024-09-02T10:00:00Z", "new": "1", "old": null, "seq": 13, "kind": "answer", "screen": "persons", "item_id": "p_nationality", "row_path": "households.1/persons.2"}, {"at": "2024-09-02T10:00:00Z", "new": "Person2 Case4", "old": null, "seq": 14, "kind": "answer", "screen": "persons", "item_id": "p_name", "row_path": "households.1/persons.3"}, {"at": "2024-09-02T10:00:00Z", "new": "03", "old": null, "seq": 15, "kind": "answer", "screen": "persons", "item_id": "p_relationship", "row_path": "households.1/persons.3"}, {"at": "2024-09-02T10:00:00Z", "new": "2", "old": null, "seq": 16, "kind": "answer", "screen": "persons", "item_id": "p_sex", "row_path": "households.1/persons.3"}, {"at": "2024-09-02T10:00:00Z", "new": 34, "old": null, "seq": 17, "kind": "answer", "screen": "persons", "item_id": "p_age", "row_path": "households.1/persons.3"}, {"at": "2024-09-02T10:00:00Z", "new": "1", "old": null, "seq": 18, "kind": "answer", "screen": "persons", "item_id": "p_marital", "row_path": "households.1/persons.3"}, {"at": "2024-09-02T10:00:00Z", "new": "1", "old": null, "seq": 19, "kind": "answer", "screen": "persons", "item_id": "p_nationality", "row_path": "households.1/persons.3"}, {"at": "2024-09-02T10:00:00Z", "new": "Person3 Case4", "old": null, "seq": 20, "kind": "answer", "screen": "persons", "item_id": "p_name", "row_path": "households.1/persons.4"}, {"at": "2024-09-02T10:00:00Z", "new": "03", "old": null, "seq": 21, "kind": "answer", "screen": "persons", "item_id": "p_relationship", "row_path": "households.1/persons.4"}, {"at": "2024-09-02T10:00:00Z", "new": "1", "old": null, "seq": 22, "kind": "answer", "screen": "persons", "item_id": "p_sex", "row_path": "households.1/persons.4"}, {"at": "2024-09-02T10:00:00Z", "new": 41, "old": null, "seq": 23, "kind": "answer", "screen": "persons", "item_id": "p_age", "row_path": "households.1/persons.4"}, {"at": "2024-09-02T10:00:00Z", "new": "1", "old": null, "seq": 24, "kind": "answer", "screen": "persons", "item_id": "p_marital", "row_path": "households.1/persons.4"}, {"at": "2024-09-02T10:00:00Z", "new": "1", "old": null, "seq": 25, "kind": "answer", "screen": "persons", "item_id": "p_nationality", "row_path": "households.1/persons.4"}]');
INSERT INTO {schema}.case_events VALUES ('fe1e9776-917b-4b4c-a1b5-506a53e34a52', 1, 25, '[{"at": "2024-09-02T10:00:00Z", "new": "12 rue des Orangers", "old": null, "seq": 1, "kind": "answer", "screen": "persons", "item_id": "d_address", "row_path": ""}, {"at": "2024-09-02T10:00:00Z", "new": "1", "old": null, "seq": 2, "kind": "answer", "screen": "persons", "item_id": "d_type", "row_path": ""}, {"at": "2024-09-02T10:00:00Z", "new": "1", "old": null, "seq": 3, "kind": "answer", "screen": "persons", "item_id": "d_occupancy", "row_path": ""}, {"at": "2024-09-02T10:00:00Z", "new": 3, "old": null, "seq": 4, "kind": "answer", "screen": "persons", "item_id": "d_rooms", "row_path": ""}, {"at": "2024-09-02T10:00:00Z", "new": {"lat": 34.02, "lon": -6.83, "accuracy_m": 8.0}, "old": null, "seq": 5, "kind": "answer", "screen": "persons", "item_id": "d_gps", "row_path": ""}, {"at": "2024-09-02T10:00:00Z", "new": "Respondent", "old": null, "seq": 6, "kind": "answer", "screen": "persons", "item_id": "hh_respondent_name", "row_path": "households.1"}, {"at": "2024-09-02T10:00:00Z", "new": 3, "old": null, "seq": 7, "kind": "answer", "screen": "persons", "item_id": "hh_size_declared", "row_path": "households.1"}, {"at": "2024-09-02T10:00:00Z", "new": "Person1 Case5", "old": null, "seq": 8, "kind": "answer", "screen": "persons", "item_id": "p_name", "row_path": "households.1/persons.2"}, {"at": "2024-09-02T10:00:00Z", "new": "01", "old": null, "seq": 9, "kind": "answer", "screen": "persons", "item_id": "p_relationship", "row_path": "households.1/persons.2"}, {"at": "2024-09-02T10:00:00Z", "new": "1", "old": null, "seq": 10, "kind": "answer", "screen": "persons", "item_id": "p_sex", "row_path": "households.1/persons.2"}, {"at": "2024-09-02T10:00:00Z", "new": 27, "old": null, "seq": 11, "kind": "answer", "screen": "persons", "item_id": "p_age", "row_path": "households.1/persons.2"}, {"at": "2024-09-02T10:00:00Z", "new": "1", "old": null, "seq": 12, "kind": "answer", "screen": "persons", "item_id": "p_marital", "row_path": "households.1/persons.2"}, {"at": "2024-09-02T10:00:00Z", "new": "1", "old": null, "seq": 13, "kind": "answer", "screen": "persons", "item_id": "p_nationality", "row_path": "households.1/persons.2"}, {"at": "2024-09-02T10:00:00Z", "new": "Person2 Case5", "old": null, "seq": 14, "kind": "answer", "screen": "persons", "item_id": "p_name", "row_path": "households.1/persons.3"}, {"at": "2024-09-02T10:00:00Z", "new": "03", "old": null, "seq": 15, "kind": "answer", "screen": "persons", "item_id": "p_relationship", "row_path": "households.1/persons.3"}, {"at": "2024-09-02T10:00:00Z", "new": "2", "old": null, "seq": 16, "kind": "answer", "screen": "persons", "item_id": "p_sex", "row_path": "households.1/persons.3"}, {"at": "2024-09-02T10:00:00Z", "new": 34, "old": null, "seq": 17, "kind": "answer", "screen": "persons", "item_id": "p_age", "row_path": "households.1/persons.3"}, {"at": "2024-09-02T10:00:00Z", "new": "1", "old": null, "seq": 18, "kind": "answer", "screen": "persons", "item_id": "p_marital", "row_path": "households.1/persons.3"}, {"at": "2024-09-02T10:00:00Z", "new": "1", "old": null, "seq": 19, "kind": "answer", "screen": "persons", "item_id": "p_nationality", "row_path": "households.1/persons.3"}, {"at": "2024-09-02T10:00:00Z", "new": "Person3 Case5", "old": null, "seq": 20, "kind": "answer", "screen": "persons", "item_id": "p_name", "row_path": "households.1/persons.4"}, {"at": "2024-09-02T10:00:00Z", "new": "03", "old": null, "seq": 21, "kind": "answer", "screen": "persons", "item_id": "p_relationship", "row_path": "households.1/persons.4"}, {"at": "2024-09-02T10:00:00Z", "new": "1", "old": null, "seq": 22, "kind": "answer", "screen": "persons", "item_id": "p_sex", "row_path": "households.1/persons.4"}, {"at": "2024-09-02T10:00:00Z", "new": 41, "old": null, "seq": 23, "kind": "answer", "screen": "persons", "item_id": "p_age", "row_path": "households.1/persons.4"}, {"at": "2024-09-02T10:00:00Z", "new": "1", "old": null, "seq": 24, "kind": "answer", "screen": "persons", "item_id": "p_marital", "row_path": "households.1/persons.4"}, {"at": "2024-09-02T10:00:00Z", "new": "1", "old": null, "seq": 25, "kind": "answer", "screen": "persons", "item_id": "p_nationality", "row_path": "households.1/persons.4"}]');

INSERT INTO {schema}.case_facts VALUES ('6072e9fc-7d5f-46c9-9d30-ec871ceb3eef', 'DR-1', 1, 1, 1, 'complete', 'E-1', 3, 'case1 person1', 34.02, -6.83, 1725271200, 1725271200, '2024-09-02', 0, NULL);
INSERT INTO {schema}.case_facts VALUES ('c2b165a9-536a-4728-87ef-e5354e06ab60', 'DR-1', 1, 2, 1, 'complete', 'E-1', 3, 'case2 person1', 34.02, -6.83, 1725271200, 1725271200, '2024-09-02', 0, NULL);
INSERT INTO {schema}.case_facts VALUES ('55610b37-bb2a-4967-9fa5-6f28620302c4', 'DR-1', 2, 3, 1, 'complete', 'E-1', 3, 'case3 person1', 34.02, -6.83, 1725271200, 1725271200, '2024-09-02', 0, NULL);
INSERT INTO {schema}.case_facts VALUES ('2045432f-7386-43f5-bcfa-dc8d61c9c992', 'DR-1', 2, 4, 1, 'complete', 'E-1', 3, 'case4 person1', 34.02, -6.83, 1725271200, 1725271200, '2024-09-02', 0, NULL);
INSERT INTO {schema}.case_facts VALUES ('fe1e9776-917b-4b4c-a1b5-506a53e34a52', 'DR-1', 2, 5, 1, 'complete', 'E-1', 3, 'case5 person1', 34.02, -6.83, 1725271200, 1725271200, '2024-09-02', 0, NULL);

INSERT INTO {schema}.cases VALUES ('6072e9fc-7d5f-46c9-9d30-ec871ceb3eef', 1, 'DR-1', 1, 1, 1, 'rgph2024', '1.0.0', 'complete', '{"plan": {"take_all": false, "random_start": 777, "rate_per_mille": 200}, "method": "systematic-per-mille-v1", "selected": false, "sequence_number": 1}', '{"root": {"inputs": {"district_id": "DR-1", "building_number": 1, "dwelling_number": 1}, "answers": {"d_gps": {"lat": 34.02, "lon": -6.83, "accuracy_m": 8.0}, "d_type": "1", "d_rooms": 3, "d_address": "12 rue des Orangers", "d_occupancy": "1"}, "rosters": {"households": [{"inputs": {"household_number": 1}, "row_id": 1, "answers": {"hh_size_declared": 3, "hh_respondent_name": "Respondent"}, "rosters": {"deaths": [], "persons": [{"inputs": {}, "row_id": 2, "answers": {"p_age": 27, "p_sex": "1", "p_name": "Person1 Case1", "p_marital": "1", "p_nationality": "1", "p_relationship": "01"}, "rosters": {}}, {"inputs": {}, "row_id": 3, "answers": {"p_age": 34, "p_sex": "2", "p_name": "Person2 Case1", "p_marital": "1", "p_nationality": "1", "p_relationship": "03"}, "rosters": {}}, {"inputs": {}, "row_id": 4, "answers": {"p_age": 41, "p_sex": "1", "p_name": "Person3 Case1", "p_marital": "1", "p_nationality": "1", "p_relationship": "03"}, "rosters": {}}]}}]}}, "format": "census-case", "next_row_id": 5, "confirmations": [], "questionnaire": {"id": "rgph2024", "version": "1.0.0"}, "format_version": 1}', '2024-09-02T10:30:00Z', 'tab-durable', '327fb705-9017-4a7d-9821-d4c85a544da1', '2026-12-04 18:37:59.813099+00', 25);
INSERT INTO {schema}.cases VALUES ('c2b165a9-536a-4728-87ef-e5354e06ab60', 1, 'DR-1', 1, 2, 1, 'rgph2024', '1.0.0', 'complete', '{"plan": {"take_all": false, "random_start": 777, "rate_per_mille": 200}, "method": "systematic-per-mille-v1", "selected": true, "sequence_number": 2}', '{"root": {"inputs": {"district_id": "DR-1", "building_number": 1, "dwelling_number": 2}, "answers": {"d_gps": {"lat": 34.02, "lon": -6.83, "accuracy_m": 8.0}, "d_type": "1", "d_rooms": 3, "d_address": "12 rue des Orangers", "d_occupancy": "1"}, "rosters": {"households": [{"inputs": {"household_number": 1}, "row_id": 1, "answers": {"hh_size_declared": 3, "hh_respondent_name": "Respondent"}, "rosters": {"deaths": [], "persons": [{"inputs": {}, "row_id": 2, "answers": {"p_age": 27, "p_sex": "1", "p_name": "Person1 Case2", "p_marital": "1", "p_nationality": "1", "p_relationship": "01"}, "rosters": {}}, {"inputs": {}, "row_id": 3, "answers": {"p_age": 34, "p_sex": "2", "p_name": "Person2 Case2", "p_marital": "1", "p_nationality": "1", "p_relationship": "03"}, "rosters": {}}, {"inputs": {}, "row_id": 4, "answers": {"p_age": 41, "p_sex": "1", "p_name": "Person3 Case2", "p_marital": "1", "p_nationality": "1", "p_relationship": "03"}, "rosters": {}}]}}]}}, "format": "census-case", "next_row_id": 5, "confirmations": [], "questionnaire": {"id": "rgph2024", "version": "1.0.0"}, "format_version": 1}', '2024-09-02T10:30:00Z', 'tab-durable', '327fb705-9017-4a7d-9821-d4c85a544da1', '2026-12-04 18:37:59.813099+00', 25);
INSERT INTO {schema}.cases VALUES ('55610b37-bb2a-4967-9fa5-6f28620302c4', 1, 'DR-1', 2, 3, 1, 'rgph2024', '1.0.0', 'complete', '{"plan": {"take_all": false, "random_start": 777, "rate_per_mille": 200}, "method": "systematic-per-mille-v1", "selected": false, "sequence_number": 3}', '{"root": {"inputs": {"district_id": "DR-1", "building_number": 2, "dwelling_number": 3}, "answers": {"d_gps": {"lat": 34.02, "lon": -6.83, "accuracy_m": 8.0}, "d_type": "1", "d_rooms": 3, "d_address": "12 rue des Orangers", "d_occupancy": "1"}, "rosters": {"households": [{"inputs": {"household_number": 1}, "row_id": 1, "answers": {"hh_size_declared": 3, "hh_respondent_name": "Respondent"}, "rosters": {"deaths": [], "persons": [{"inputs": {}, "row_id": 2, "answers": {"p_age": 27, "p_sex": "1", "p_name": "Person1 Case3", "p_marital": "1", "p_nationality": "1", "p_relationship": "01"}, "rosters": {}}, {"inputs": {}, "row_id": 3, "answers": {"p_age": 34, "p_sex": "2", "p_name": "Person2 Case3", "p_marital": "1", "p_nationality": "1", "p_relationship": "03"}, "rosters": {}}, {"inputs": {}, "row_id": 4, "answers": {"p_age": 41, "p_sex": "1", "p_name": "Person3 Case3", "p_marital": "1", "p_nationality": "1", "p_relationship": "03"}, "rosters": {}}]}}]}}, "format": "census-case", "next_row_id": 5, "confirmations": [], "questionnaire": {"id": "rgph2024", "version": "1.0.0"}, "format_version": 1}', '2024-09-02T10:30:00Z', 'tab-durable', '327fb705-9017-4a7d-9821-d4c85a544da1', '2026-12-04 18:37:59.813099+00', 25);
INSERT INTO {schema}.cases VALUES ('2045432f-7386-43f5-bcfa-dc8d61c9c992', 1, 'DR-1', 2, 4, 1, 'rgph2024', '1.0.0', 'complete', '{"plan": {"take_all": false, "random_start": 777, "rate_per_mille": 200}, "method": "systematic-per-mille-v1", "selected": false, "sequence_number": 4}', '{"root": {"inputs": {"district_id": "DR-1", "building_number": 2, "dwelling_number": 4}, "answers": {"d_gps": {"lat": 34.02, "lon": -6.83, "accuracy_m": 8.0}, "d_type": "1", "d_rooms": 3, "d_address": "12 rue des Orangers", "d_occupancy": "1"}, "rosters": {"households": [{"inputs": {"household_number": 1}, "row_id": 1, "answers": {"hh_size_declared": 3, "hh_respondent_name": "Respondent"}, "rosters": {"deaths": [], "persons": [{"inputs": {}, "row_id": 2, "answers": {"p_age": 27, "p_sex": "1", "p_name": "Person1 Case4", "p_marital": "1", "p_nationality": "1", "p_relationship": "01"}, "rosters": {}}, {"inputs": {}, "row_id": 3, "answers": {"p_age": 34, "p_sex": "2", "p_name": "Person2 Case4", "p_marital": "1", "p_nationality": "1", "p_relationship": "03"}, "rosters": {}}, {"inputs": {}, "row_id": 4, "answers": {"p_age": 41, "p_sex": "1", "p_name": "Person3 Case4", "p_marital": "1", "p_nationality": "1", "p_relationship": "03"}, "rosters": {}}]}}]}}, "format": "census-case", "next_row_id": 5, "confirmations": [], "questionnaire": {"id": "rgph2024", "version": "1.0.0"}, "format_version": 1}', '2024-09-02T10:30:00Z', 'tab-durable', '327fb705-9017-4a7d-9821-d4c85a544da1', '2026-12-04 18:37:59.813099+00', 25);
INSERT INTO {schema}.cases VALUES ('fe1e9776-917b-4b4c-a1b5-506a53e34a52', 1, 'DR-1', 2, 5, 1, 'rgph2024', '1.0.0', 'complete', '{"plan": {"take_all": false, "random_start": 777, "rate_per_mille": 200}, "method": "systematic-per-mille-v1", "selected": false, "sequence_number": 5}', '{"root": {"inputs": {"district_id": "DR-1", "building_number": 2, "dwelling_number": 5}, "answers": {"d_gps": {"lat": 34.02, "lon": -6.83, "accuracy_m": 8.0}, "d_type": "1", "d_rooms": 3, "d_address": "12 rue des Orangers", "d_occupancy": "1"}, "rosters": {"households": [{"inputs": {"household_number": 1}, "row_id": 1, "answers": {"hh_size_declared": 3, "hh_respondent_name": "Respondent"}, "rosters": {"deaths": [], "persons": [{"inputs": {}, "row_id": 2, "answers": {"p_age": 27, "p_sex": "1", "p_name": "Person1 Case5", "p_marital": "1", "p_nationality": "1", "p_relationship": "01"}, "rosters": {}}, {"inputs": {}, "row_id": 3, "answers": {"p_age": 34, "p_sex": "2", "p_name": "Person2 Case5", "p_marital": "1", "p_nationality": "1", "p_relationship": "03"}, "rosters": {}}, {"inputs": {}, "row_id": 4, "answers": {"p_age": 41, "p_sex": "1", "p_name": "Person3 Case5", "p_marital": "1", "p_nationality": "1", "p_relationship": "03"}, "rosters": {}}]}}]}}, "format": "census-case", "next_row_id": 5, "confirmations": [], "questionnaire": {"id": "rgph2024", "version": "1.0.0"}, "format_version": 1}', '2024-09-02T10:30:00Z', 'tab-durable', '327fb705-9017-4a7d-9821-d4c85a544da1', '2026-12-04 18:37:59.813099+00', 25);

INSERT INTO {schema}.devices VALUES ('tab-durable', 'E-1', '\xc85f9f5f69ec501b827cd4f4dfe7295deafa7fb1315aabf2f2dfb47fa841bb00', '\x170dc3795d819bf589b682eac740e26733bd5bd8132c04100962b7778d35bec4', '["DR-1"]', '2026-12-04 18:37:59.763102+00', NULL);

INSERT INTO {schema}.districts VALUES ('DR-1', 'CS-1', 'ZS-1', 'Rabat', 'Rabat', 'Rabat-Salé-Kénitra', 80, 240, 250, 200, 777, false);

INSERT INTO {schema}.enrolment_codes VALUES ('\x3f2b3bae97b5fb9f31d17ca84ddc1c3f5adf57c2f83f3188255b34ee12d58281', 'E-1', '["DR-1"]', '2026-12-04 18:37:59.710382+00', 'tab-durable');

INSERT INTO {schema}.head_counts VALUES ('case1 person1', 3, 1);
INSERT INTO {schema}.head_counts VALUES ('case2 person1', 3, 1);
INSERT INTO {schema}.head_counts VALUES ('case3 person1', 3, 1);
INSERT INTO {schema}.head_counts VALUES ('case4 person1', 3, 1);
INSERT INTO {schema}.head_counts VALUES ('case5 person1', 3, 1);

INSERT INTO {schema}.server_meta VALUES ('summaries', '1');

INSERT INTO {schema}.tally_cases VALUES ('DR-1', 'complete', 5, 15);

INSERT INTO {schema}.tally_days VALUES ('DR-1', 'E-1', '2024-09-02', 5, 15, 0);

INSERT INTO {schema}.tally_listing VALUES ('DR-1', 0, 0, 0);

SELECT pg_catalog.setval('{schema}.reviews_cursor_seq', 1, false);

ALTER TABLE ONLY {schema}.batches
    ADD CONSTRAINT batches_pkey PRIMARY KEY (batch_id);

ALTER TABLE ONLY {schema}.case_events
    ADD CONSTRAINT case_events_pkey PRIMARY KEY (case_id, revision);

ALTER TABLE ONLY {schema}.case_facts
    ADD CONSTRAINT case_facts_pkey PRIMARY KEY (case_id);

ALTER TABLE ONLY {schema}.cases
    ADD CONSTRAINT cases_pkey PRIMARY KEY (case_id);

ALTER TABLE ONLY {schema}.devices
    ADD CONSTRAINT devices_pkey PRIMARY KEY (device_id);

ALTER TABLE ONLY {schema}.devices
    ADD CONSTRAINT devices_token_hash_key UNIQUE (token_hash);

ALTER TABLE ONLY {schema}.district_extents
    ADD CONSTRAINT district_extents_pkey PRIMARY KEY (district_id);

ALTER TABLE ONLY {schema}.districts
    ADD CONSTRAINT districts_pkey PRIMARY KEY (district_id);

ALTER TABLE ONLY {schema}.enrolment_codes
    ADD CONSTRAINT enrolment_codes_pkey PRIMARY KEY (code_hash);

ALTER TABLE ONLY {schema}.frame_buildings
    ADD CONSTRAINT frame_buildings_pkey PRIMARY KEY (district_id, building_number);

ALTER TABLE ONLY {schema}.head_counts
    ADD CONSTRAINT head_counts_pkey PRIMARY KEY (head_key, persons);

ALTER TABLE ONLY {schema}.listed_buildings
    ADD CONSTRAINT listed_buildings_pkey PRIMARY KEY (district_id, building_number);

ALTER TABLE ONLY {schema}.listed_dwellings
    ADD CONSTRAINT listed_dwellings_pkey PRIMARY KEY (district_id, building_number, dwelling_number);

ALTER TABLE ONLY {schema}.omitted_dwellings
    ADD CONSTRAINT omitted_dwellings_pkey PRIMARY KEY (district_id, building_number, dwelling_number);

ALTER TABLE ONLY {schema}.repeated_numbers
    ADD CONSTRAINT repeated_numbers_pkey PRIMARY KEY (district_id, building_number, dwelling_number, household_number);

ALTER TABLE ONLY {schema}.reviewers
    ADD CONSTRAINT reviewers_pkey PRIMARY KEY (token_hash);

ALTER TABLE ONLY {schema}.reviews
    ADD CONSTRAINT reviews_pkey PRIMARY KEY (cursor);

ALTER TABLE ONLY {schema}.server_meta
    ADD CONSTRAINT server_meta_pkey PRIMARY KEY (key);

ALTER TABLE ONLY {schema}.tally_cases
    ADD CONSTRAINT tally_cases_pkey PRIMARY KEY (district_id, status);

ALTER TABLE ONLY {schema}.tally_days
    ADD CONSTRAINT tally_days_pkey PRIMARY KEY (district_id, enumerator_id, day);

ALTER TABLE ONLY {schema}.tally_listing
    ADD CONSTRAINT tally_listing_pkey PRIMARY KEY (district_id);

ALTER TABLE ONLY {schema}.unvisited_buildings
    ADD CONSTRAINT unvisited_buildings_pkey PRIMARY KEY (district_id, building_number);

CREATE INDEX case_facts_by_dwelling ON {schema}.case_facts USING btree (district_id, building_number, dwelling_number);

CREATE INDEX case_facts_by_head ON {schema}.case_facts USING btree (head_key, persons);

CREATE INDEX case_facts_outside ON {schema}.case_facts USING btree (outside_m);

CREATE INDEX case_facts_short ON {schema}.case_facts USING btree (((active_seconds - (60 * persons)))) WHERE (status = 'complete'::text);

CREATE INDEX cases_by_district ON {schema}.cases USING btree (district_id);

CREATE INDEX cases_complete_by_change ON {schema}.cases USING btree (updated_at, case_id) WHERE (status = 'complete'::text);

CREATE INDEX head_counts_shared ON {schema}.head_counts USING btree (head_key) WHERE (cases > 1);

CREATE INDEX reviews_by_case ON {schema}.reviews USING btree (case_id, revision);

