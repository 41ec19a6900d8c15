-- Hand-written: the publication log and the data versions can never be changed or deleted.
CREATE FUNCTION "contamos_log_immutable"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the publication log and data versions are immutable';
END;
$$;
CREATE TRIGGER "Publication_no_update" BEFORE UPDATE OR DELETE ON "Publication" FOR EACH ROW EXECUTE FUNCTION "contamos_log_immutable"();
CREATE TRIGGER "Publication_no_truncate" BEFORE TRUNCATE ON "Publication" FOR EACH STATEMENT EXECUTE FUNCTION "contamos_log_immutable"();
CREATE TRIGGER "DataVersion_no_update" BEFORE UPDATE OR DELETE ON "DataVersion" FOR EACH ROW EXECUTE FUNCTION "contamos_log_immutable"();
CREATE TRIGGER "DataVersion_no_truncate" BEFORE TRUNCATE ON "DataVersion" FOR EACH STATEMENT EXECUTE FUNCTION "contamos_log_immutable"();
