package io.zerodown.core.plan;

/** Where a step sits in an expand → backfill → contract → verify rollout. */
public enum Phase { EXPAND, BACKFILL, CONTRACT, VERIFY }
