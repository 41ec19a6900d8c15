-- Hand-written (red team of the charged intake, test/adversarial/redteam-intake-charge.test.ts): a
-- submission refused after its charge consumes no nonce (its writes roll back), so a captured copy
-- of it, replayed while its signature is fresh, was charged to the member's minute again and again
-- by anyone holding it. Now a refused submission records its nonce as charged, as a RateWindow
-- bucket named 'nonce:' || the nonce's hash (server/db/rate-windows.ts `chargedNonceBucket`; count 1,
-- expiring with the nonce, purged with the windows), and a nonce consumed OR charged already is
-- refused as 'replayed_nonce' with nothing charged. A copy racing its refused original waits on the
-- minute's row, then finds the mark and gives its minute back. A submission that is stored writes
-- no mark (its nonce is consumed). Everything else is 0016's contamos_submit_charged.
CREATE FUNCTION contamos_mark_charged_nonce(p_nonce text, p_expires integer) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  INSERT INTO "RateWindow" ("bucket", "count", "expiresAt") VALUES ('nonce:' || p_nonce, 1, p_expires)
    ON CONFLICT ("bucket") DO NOTHING;
  RETURN FOUND;
END
$$;

CREATE OR REPLACE FUNCTION contamos_submit_charged(
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
  IF EXISTS (SELECT 1 FROM "Nonce" WHERE "hash" = p_nonce)
     OR EXISTS (SELECT 1 FROM "RateWindow" WHERE "bucket" = 'nonce:' || p_nonce) THEN
    RETURN 'replayed_nonce';
  END IF;
  v_minute := contamos_window_add(p_minute_bucket, 1, p_minute_expires);
  IF p_day_bucket IS NOT NULL THEN
    v_day := contamos_window_add(p_day_bucket, 1, p_day_expires);
  END IF;
  -- with no day window, v_day is NULL and only the minute can refuse
  IF v_minute > p_minute_limit OR v_day > p_day_limit THEN
    IF v_day IS NOT NULL THEN
      PERFORM contamos_window_add(p_day_bucket, -1, p_day_expires);
    END IF;
    IF NOT contamos_mark_charged_nonce(p_nonce, p_nonce_expires) THEN
      PERFORM contamos_window_add(p_minute_bucket, -1, p_minute_expires);
      RETURN 'replayed_nonce';
    END IF;
    RETURN CASE WHEN v_minute > p_minute_limit THEN 'rate_limited' ELSE 'daily_limit_reached' END;
  END IF;

  BEGIN
    v_created := contamos_submit_report(p_nonce, p_nonce_expires, p_id, p_member, p_year, p_quarter, p_region,
      p_incident_type, p_victim_gender, p_victim_nationality, p_victim_age_band, p_perpetrator_type, p_outcome,
      p_sealed_narrative, p_dedupe_tag, p_supersedes, p_report_hash);
  EXCEPTION WHEN SQLSTATE 'CT001' THEN
    v_refusal := SQLERRM;
  END;
  IF v_refusal IS NOT NULL AND v_refusal <> 'replayed_nonce' AND NOT contamos_mark_charged_nonce(p_nonce, p_nonce_expires) THEN
    v_refusal := 'replayed_nonce'; -- a copy of a refused request that raced it
  END IF;
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
