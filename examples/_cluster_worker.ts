// One worker of examples/http_cluster.ts: servcon on the shared port with reusePort.
import { servcon, type ServerRequest, type ServerResponse } from "@cosocket/http";

const scope = self as unknown as {
  onmessage: ((event: MessageEvent) => void) | null;
  postMessage(message: unknown): void;
};

scope.onmessage = (event: MessageEvent<{ port: number; id: number }>) => {
  const { port, id } = event.data;
  const server = servcon(port, function* (_request: ServerRequest, response: ServerResponse) {
    yield* response.send(`worker ${id}`);
  }, { hostname: "127.0.0.1", reusePort: true });
  scope.onmessage = async () => {
    await server.close();
    scope.postMessage("closed");
  };
  scope.postMessage("listening");
};
