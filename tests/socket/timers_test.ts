import { deepEqual, equal, ok } from "node:assert/strict";
import { clearTimer, pendingTimers, setTimer } from "../../socket/_timers.ts";
import { delay } from "./_helpers.ts";

Deno.test("timers of one duration run in the order they were set, cleared ones never", async () => {
  const ran: number[] = [];
  const timers = Array.from({ length: 10 }, (_, i) => setTimer(20, () => ran.push(i)));
  clearTimer(timers[3]!);
  clearTimer(timers[0]!);
  clearTimer(timers[0]!); // twice is allowed
  await delay(60);
  deepEqual(ran, [1, 2, 4, 5, 6, 7, 8, 9]);
  equal(pendingTimers(), 0);
});

Deno.test("timers of different durations run by their own time, not by the order they were set", async () => {
  const ran: string[] = [];
  const started = Date.now();
  const times: Record<string, number> = {};
  setTimer(60, () => (ran.push("60"), times["60"] = Date.now() - started));
  setTimer(10, () => (ran.push("10"), times["10"] = Date.now() - started));
  setTimer(30, () => (ran.push("30"), times["30"] = Date.now() - started));
  await delay(100);
  deepEqual(ran, ["10", "30", "60"]);
  ok(times["10"]! >= 10 && times["30"]! >= 30 && times["60"]! >= 60, JSON.stringify(times));
});

Deno.test("a timer set from a timer's callback runs too", async () => {
  let second = false;
  setTimer(5, () => void setTimer(5, () => second = true));
  await delay(50);
  ok(second);
  equal(pendingTimers(), 0);
});

Deno.test("thousands of cleared timers behind one long one are compacted, and the rest still run", async () => {
  const long = setTimer(80, () => {});
  let ran = 0;
  const keep: number[] = [];
  for (let i = 0; i < 20_000; i++) {
    const timer = setTimer(80, () => ran++);
    if (i % 5000 === 0) keep.push(i);
    else clearTimer(timer);
  }
  equal(pendingTimers(), 1 + keep.length);
  await delay(150);
  equal(ran, keep.length);
  clearTimer(long);
  equal(pendingTimers(), 0);
});

Deno.test("clearing the last timer leaves none pending", () => {
  const timer = setTimer(60_000, () => {});
  clearTimer(timer);
  equal(pendingTimers(), 0);
});

/** Runs a script with the timers module in a process of its own: its output and run time. */
async function runScript(body: string): Promise<{ output: string; ms: number }> {
  const module = new URL("../../socket/_timers.ts", import.meta.url).href;
  const started = Date.now();
  const { stdout, success } = await new Deno.Command(Deno.execPath(), {
    args: ["eval", `import { setTimer, clearTimer } from "${module}";\n${body}`],
    stderr: "inherit",
  }).output();
  ok(success);
  return { output: new TextDecoder().decode(stdout).trim(), ms: Date.now() - started };
}

Deno.test("a process whose last timer was cleared exits at once, not when the platform timer would fire", async () => {
  const { output, ms } = await runScript(
    `clearTimer(setTimer(30_000, () => console.log("fired"))); console.log("cleared");`,
  );
  equal(output, "cleared");
  ok(ms < 20_000, `took ${ms} ms`);
});

Deno.test("a timer set after the last one was cleared keeps the process alive until it runs", async () => {
  // The platform timer, unref'd for the cleared 50 ms timer, must hold the
  // process again for the later one, which it does not have to re-arm for.
  const { output } = await runScript(
    `clearTimer(setTimer(50, () => console.log("cleared one ran")));
     setTimer(400, () => console.log("fired"));`,
  );
  equal(output, "fired");
});
