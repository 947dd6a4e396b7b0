/**
 * The same HTTP server on every core: one worker per core, each running
 * `servcon` on the same port with `reusePort` (the kernel spreads new
 * connections over them). Beyond one machine, run stateless instances like
 * these behind an existing balancer (nginx `upstream`, tested in
 * `tests/http/redirector_test.ts`); there is no home-made cluster here.
 *
 * Run: `deno run --allow-net=127.0.0.1 --allow-read --unstable-net examples/http_cluster.ts`
 */
if (import.meta.main) {
  const cores = Math.max(2, navigator.hardwareConcurrency);
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (probe.addr as Deno.NetAddr).port;
  probe.close();
  const source = new URL("./_cluster_worker.ts", import.meta.url);
  const workers = Array.from({ length: cores }, () => new Worker(source, { type: "module" }));
  try {
    await Promise.all(workers.map((worker, id) =>
      new Promise((resolve) => {
        worker.onmessage = resolve;
        worker.postMessage({ port, id });
      })
    ));
    console.log(`${cores} workers listen on 127.0.0.1:${port}`);
    const seen = new Map<string, number>();
    for (let i = 0; i < 200; i++) {
      // A new connection each time, so that the kernel picks a worker each time.
      const client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
      const text = await (await fetch(`http://127.0.0.1:${port}/`, { client })).text();
      client.close();
      seen.set(text, (seen.get(text) ?? 0) + 1);
    }
    console.log("answers:", [...seen].sort().map(([who, count]) => `${who}: ${count}`).join(", "));
    console.log("every worker answered:", seen.size === cores);
  } finally {
    await Promise.all(workers.map((worker) =>
      new Promise((resolve) => {
        worker.onmessage = resolve;
        worker.postMessage("close");
      })
    ));
    for (const worker of workers) worker.terminate();
  }
}
