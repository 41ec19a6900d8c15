-- CreateTable
CREATE TABLE "SeriesBudget" (
    "series" TEXT NOT NULL,
    "unit" TEXT NOT NULL,
    "total" TEXT NOT NULL,
    "spent" TEXT NOT NULL,

    CONSTRAINT "SeriesBudget_pkey" PRIMARY KEY ("series")
);
