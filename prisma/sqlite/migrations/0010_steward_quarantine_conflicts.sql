-- Quarantine (Member.quarantined), the steward's dedupe choices and the server's own secrets.
-- Member gets its column by ALTER TABLE ADD COLUMN rather than the table copy `prisma migrate diff`
-- writes for SQLite: a copy lists the columns it knows, so it would drop any column another
-- migration numbered before this one adds to Member. (Same resulting table; the schema test checks.)

-- AlterTable
ALTER TABLE "Member" ADD COLUMN "quarantined" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "DedupeChoice" (
    "tag" TEXT NOT NULL PRIMARY KEY,
    "reportId" TEXT NOT NULL
);

-- CreateTable
CREATE TABLE "ServerSecret" (
    "name" TEXT NOT NULL PRIMARY KEY,
    "value" TEXT NOT NULL
);
