-- Hand-written (issue 16): the heap order of Report and Member rows, and their xmin, follow the
-- order they were written in. server/db/mix-stored-order.ts rewrites them in random order in one
-- transaction (services/../db: see SECURITY.md, "What a copy of the disk shows"). Member rows can
-- only be deleted and put back in one transaction if the foreign key from Report is checked at
-- commit: it becomes NO ACTION, DEFERRABLE INITIALLY IMMEDIATE (RESTRICT cannot be deferred).
-- Every statement of the application still sees it checked at once; nothing deletes members.
ALTER TABLE "Report" DROP CONSTRAINT "Report_memberKeyId_fkey";
ALTER TABLE "Report" ADD CONSTRAINT "Report_memberKeyId_fkey" FOREIGN KEY ("memberKeyId") REFERENCES "Member"("keyId")
  ON DELETE NO ACTION ON UPDATE CASCADE DEFERRABLE INITIALLY IMMEDIATE;
