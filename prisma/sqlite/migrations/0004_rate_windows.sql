-- CreateTable
CREATE TABLE "RateWindow" (
    "bucket" TEXT NOT NULL PRIMARY KEY,
    "count" INTEGER NOT NULL,
    "expiresAt" INTEGER NOT NULL
);

-- CreateIndex
CREATE INDEX "RateWindow_expiresAt_idx" ON "RateWindow"("expiresAt");
