-- Hand-written: published releases can never be changed or deleted, whatever code runs.
CREATE FUNCTION "contamos_release_immutable"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'releases are immutable';
END;
$$;
CREATE TRIGGER "Release_no_update" BEFORE UPDATE OR DELETE ON "Release" FOR EACH ROW EXECUTE FUNCTION "contamos_release_immutable"();
CREATE TRIGGER "Release_no_truncate" BEFORE TRUNCATE ON "Release" FOR EACH STATEMENT EXECUTE FUNCTION "contamos_release_immutable"();
