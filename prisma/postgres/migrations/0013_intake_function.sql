-- Hand-written (issue 20): a submission in one statement. server/db/pg-intake.ts calls this
-- function once per submitted report, in its own transaction (the statement's), instead of an
-- interactive transaction of six statements through the ORM. The steps and their order are those
-- of the intake transaction (see server/db/pg-intake.ts's header): consume the nonce, re-check that
-- the key is not revoked, decide idempotency, apply an amendment's `supersedes`, insert.
-- Returns true when the report was stored now, false when the same report (same id, member and
-- hash) was already stored (the nonce is consumed, as on SQLite). Every refusal RAISEs with
-- SQLSTATE CT001 and the refusal code as its message, so the statement's transaction rolls back
-- and the refusal writes nothing (not even the nonce). A report id inserted meanwhile by another
-- transaction (another replica) raises unique_violation (23505), which the caller resolves.
-- Reads and writes are those the ORM issued, at the same isolation (READ COMMITTED, each statement
-- seeing what was committed before it), so the same locks are taken: mix-stored-order.ts's lock on
-- Report and Member holds this function back as it held the ORM's transaction.
CREATE FUNCTION contamos_submit_report(
  p_nonce text, p_nonce_expires integer,
  p_id text, p_member text, p_year integer, p_quarter integer, p_region text, p_incident_type text,
  p_victim_gender text, p_victim_nationality text, p_victim_age_band text, p_perpetrator_type text,
  p_outcome text, p_sealed_narrative text, p_dedupe_tag text, p_supersedes text, p_report_hash text
) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_n integer;
  v_revoked boolean;
  v_owner text;
  v_hash text;
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

  SELECT "memberKeyId", "reportHash" INTO v_owner, v_hash FROM "Report" WHERE "id" = p_id;
  IF FOUND THEN
    IF v_owner <> p_member THEN
      RAISE EXCEPTION USING ERRCODE = 'CT001', MESSAGE = 'report_id_taken';
    END IF;
    IF v_hash = p_report_hash THEN
      RETURN false;
    END IF;
    RAISE EXCEPTION USING ERRCODE = 'CT001', MESSAGE = 'report_conflict';
  END IF;

  IF p_supersedes IS NOT NULL THEN
    UPDATE "Report" SET "status" = 'superseded'
      WHERE "id" = p_supersedes AND "memberKeyId" = p_member AND "status" = 'active';
    GET DIAGNOSTICS v_n = ROW_COUNT;
    IF v_n <> 1 THEN
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
      p_supersedes, 'active', p_report_hash);
  RETURN true;
END
$$;
