-- The publisher's featured series for the home page (issue 19).
-- CreateTable
CREATE TABLE "FeaturedSeries" (
    "slot" TEXT NOT NULL,
    "series" TEXT NOT NULL,

    CONSTRAINT "FeaturedSeries_pkey" PRIMARY KEY ("slot")
);
