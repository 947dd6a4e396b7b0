/** Shared helpers of the HTTP tests. */
import { deepStrictEqual } from "node:assert/strict";
import { sockstat } from "@cosocket/socket";

/** Waits (at most half a second) for every socket and cosocket to be gone, then checks. */
export async function assertClean(): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const { total, active } = sockstat();
    if (total === 0 && active === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const { total, active } = sockstat();
  deepStrictEqual({ total, active }, { total: 0, active: 0 });
}
