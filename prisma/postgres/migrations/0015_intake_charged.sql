-- Hand-written (issue 20): a submission's rate-window charge (http/rate-limit.ts) and its intake
-- (0013, 0014) in one call, so a charged submission is one round trip and one commit instead of
-- two. The rules are those of server/db/intake-charge.ts, in its order:
--   1. a nonce consumed already: 'replayed_nonce', nothing charged;
--   2. the minute window, and the day window when given, charged one each;
--   3. beyond the minute's limit: 'rate_limited' (the day's point given back); else beyond the
--      day's: 'daily_limit_reached';
--   4. otherwise contamos_submit_report runs in a block of its own (a subtransaction): a refusal it
--      raises rolls back its writes (the nonce included) but not the charge, and is returned as its
--      code; 'replayed_nonce' there (a replay racing its original) gives the minute's point back;
--      anything but a new report gives the day's point back.
-- Answers 'created', 'stored' (the same report again) or the refusal's code. Any other error
-- rolls the whole call back, the charge included. No refusal is raised out of this function, so
-- none reaches the server's log.
CREATE FUNCTION contamos_window_add(p_bucket text, p_delta integer, p_expires integer) RETURNS integer
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_count integer;
BEGIN
  IF p_delta > 0 THEN
    INSERT INTO "RateWindow" ("bucket", "count", "expiresAt") VALUES (p_bucket, p_delta, p_expires)
      ON CONFLICT ("bucket") DO UPDATE SET "count" = "RateWindow"."count" + p_delta
      RETURNING "count" INTO v_count;
  ELSE
    UPDATE "RateWindow" SET "count" = greatest("count" + p_delta, 0) WHERE "bucket" = p_bucket
      RETURNING "count" INTO v_count;
  END IF;
  RETURN v_count;
END
$$;

CREATE FUNCTION contamos_submit_charged(
  p_nonce text, p_nonce_expires integer,
  p_id text, p_member text, p_year integer, p_quarter integer, p_region text, p_incident_type text,
  p_victim_gender text, p_victim_nationality text, p_victim_age_band text, p_perpetrator_type text,
  p_outcome text, p_sealed_narrative text, p_dedupe_tag text, p_supersedes text, p_report_hash text,
  p_minute_bucket text, p_minute_expires integer, p_minute_limit integer,
  p_day_bucket text, p_day_expires integer, p_day_limit integer
) RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_minute integer;
  v_day integer;
  v_created boolean;
  v_refusal text;
BEGIN
  IF EXISTS (SELECT 1 FROM "Nonce" WHERE "hash" = p_nonce) THEN
    RETURN 'replayed_nonce';
  END IF;
  v_minute := contamos_window_add(p_minute_bucket, 1, p_minute_expires);
  IF p_day_bucket IS NOT NULL THEN
    v_day := contamos_window_add(p_day_bucket, 1, p_day_expires);
  END IF;
  IF v_minute > p_minute_limit THEN
    IF v_day IS NOT NULL AND v_day <= p_day_limit THEN
      PERFORM contamos_window_add(p_day_bucket, -1, p_day_expires);
    END IF;
    RETURN 'rate_limited';
  END IF;
  IF v_day > p_day_limit THEN
    RETURN 'daily_limit_reached';
  END IF;

  BEGIN
    v_created := contamos_submit_report(p_nonce, p_nonce_expires, p_id, p_member, p_year, p_quarter, p_region,
      p_incident_type, p_victim_gender, p_victim_nationality, p_victim_age_band, p_perpetrator_type, p_outcome,
      p_sealed_narrative, p_dedupe_tag, p_supersedes, p_report_hash);
  EXCEPTION WHEN SQLSTATE 'CT001' THEN
    v_refusal := SQLERRM;
  END;
  IF v_refusal = 'replayed_nonce' THEN
    PERFORM contamos_window_add(p_minute_bucket, -1, p_minute_expires);
  END IF;
  IF v_day IS NOT NULL AND v_created IS DISTINCT FROM true THEN
    PERFORM contamos_window_add(p_day_bucket, -1, p_day_expires);
  END IF;
  IF v_refusal IS NOT NULL THEN
    RETURN v_refusal;
  END IF;
  RETURN CASE WHEN v_created THEN 'created' ELSE 'stored' END;
END
$$;
