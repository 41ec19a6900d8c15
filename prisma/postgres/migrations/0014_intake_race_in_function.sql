-- Hand-written (red team of issue 20): contamos_submit_report (0013) resolves a race of one report
-- id inside the function, in the submission's own transaction, instead of failing on the primary
-- key. Three things follow:
-- - no unique violation reaches the server: PostgreSQL logs every failed statement with its DETAIL
--   (`Key (id)=(<report id>) already exists.`) and a timestamp, which would tie a report to the time
--   it arrived in the operator's logs;
-- - the loser answered "stored already" keeps its nonce consumed, as when the two come in turn;
-- - an amendment raced with itself (a client retrying) is answered as stored, not report_not_active
--   because the winner had just superseded the same report.
-- The insert takes `ON CONFLICT ("id") DO NOTHING`: on a row inserted by a transaction still open
-- it waits for that transaction; committed → nothing inserted, and the next statement (READ
-- COMMITTED, a fresh snapshot) reads the winner's row; rolled back → inserted. Steps, order and
-- refusals are otherwise those of 0013 (server/db/intake.ts).

-- The idempotency decision on a stored id: NULL when no report has it, false for the same report
-- by the same member; otherwise raises report_id_taken or report_conflict.
CREATE FUNCTION contamos_intake_existing(p_id text, p_member text, p_report_hash text) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_owner text;
  v_hash text;
BEGIN
  SELECT "memberKeyId", "reportHash" INTO v_owner, v_hash FROM "Report" WHERE "id" = p_id;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  IF v_owner <> p_member THEN
    RAISE EXCEPTION USING ERRCODE = 'CT001', MESSAGE = 'report_id_taken';
  END IF;
  IF v_hash = p_report_hash THEN
    RETURN false;
  END IF;
  RAISE EXCEPTION USING ERRCODE = 'CT001', MESSAGE = 'report_conflict';
END
$$;

CREATE OR REPLACE FUNCTION contamos_submit_report(
  p_nonce text, p_nonce_expires integer,
  p_id text, p_member text, p_year integer, p_quarter integer, p_region text, p_incident_type text,
  p_victim_gender text, p_victim_nationality text, p_victim_age_band text, p_perpetrator_type text,
  p_outcome text, p_sealed_narrative text, p_dedupe_tag text, p_supersedes text, p_report_hash text
) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_n integer;
  v_revoked boolean;
  v_same boolean;
BEGIN
  INSERT INTO "Nonce" ("hash", "expiresAt") VALUES (p_nonce, p_nonce_expires) ON CONFLICT DO NOTHING;
  GET DIAGNOSTICS v_n = ROW_COUNT;
  IF v_n <> 1 THEN
    RAISE EXCEPTION USING ERRCODE = 'CT001', MESSAGE = 'replayed_nonce';
  END IF;

  SELECT "revoked" INTO v_revoked FROM "Member" WHERE "keyId" = p_member;
  IF NOT FOUND OR v_revoked THEN
    RAISE EXCEPTION USING ERRCODE = 'CT001', MESSAGE = 'key_revoked';
  END IF;

  v_same := contamos_intake_existing(p_id, p_member, p_report_hash);
  IF v_same IS NOT NULL THEN
    RETURN v_same;
  END IF;

  IF p_supersedes IS NOT NULL THEN
    UPDATE "Report" SET "status" = 'superseded'
      WHERE "id" = p_supersedes AND "memberKeyId" = p_member AND "status" = 'active';
    GET DIAGNOSTICS v_n = ROW_COUNT;
    IF v_n <> 1 THEN
      -- a racing submission of this very id may have superseded it (this update waited for it)
      v_same := contamos_intake_existing(p_id, p_member, p_report_hash);
      IF v_same IS NOT NULL THEN
        RETURN v_same;
      END IF;
      IF EXISTS (SELECT 1 FROM "Report" WHERE "id" = p_supersedes AND "memberKeyId" = p_member) THEN
        RAISE EXCEPTION USING ERRCODE = 'CT001', MESSAGE = 'report_not_active';
      END IF;
      RAISE EXCEPTION USING ERRCODE = 'CT001', MESSAGE = 'report_not_found';
    END IF;
  END IF;

  INSERT INTO "Report" ("id", "memberKeyId", "year", "quarter", "region", "incidentType", "victimGender",
      "victimNationality", "victimAgeBand", "perpetratorType", "outcome", "sealedNarrative", "dedupeTag",
      "supersedes", "status", "reportHash")
    VALUES (p_id, p_member, p_year, p_quarter, p_region, p_incident_type, p_victim_gender,
      p_victim_nationality, p_victim_age_band, p_perpetrator_type, p_outcome, p_sealed_narrative, p_dedupe_tag,
      p_supersedes, 'active', p_report_hash)
    ON CONFLICT ("id") DO NOTHING;
  GET DIAGNOSTICS v_n = ROW_COUNT;
  IF v_n = 1 THEN
    RETURN true;
  END IF;
  -- another transaction stored this id and committed while this insert waited
  v_same := contamos_intake_existing(p_id, p_member, p_report_hash);
  IF v_same IS NOT NULL AND (p_supersedes IS NULL OR NOT v_same) THEN
    RETURN v_same;
  END IF;
  -- the same report, yet this call superseded a report the winner did not: keep nothing of it
  RAISE EXCEPTION USING ERRCODE = 'CT001', MESSAGE = 'report_conflict';
END
$$;
