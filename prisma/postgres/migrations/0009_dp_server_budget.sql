-- DropTable
DROP TABLE "SeriesBudget";

-- CreateTable
CREATE TABLE "DpLedger" (
    "sequence" INTEGER NOT NULL,
    "total" TEXT NOT NULL,
    "spentBefore" TEXT NOT NULL,
    "charged" TEXT NOT NULL,
    "spentAfter" TEXT NOT NULL,

    CONSTRAINT "DpLedger_pkey" PRIMARY KEY ("sequence")
);
