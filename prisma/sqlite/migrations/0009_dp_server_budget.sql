-- DropTable
PRAGMA foreign_keys=off;
DROP TABLE "SeriesBudget";
PRAGMA foreign_keys=on;

-- CreateTable
CREATE TABLE "DpLedger" (
    "sequence" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "total" TEXT NOT NULL,
    "spentBefore" TEXT NOT NULL,
    "charged" TEXT NOT NULL,
    "spentAfter" TEXT NOT NULL
);
