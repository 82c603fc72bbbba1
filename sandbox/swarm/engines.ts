// Each swarm node's own engine, named on the command line as HOSTNAME=URL (unix:///path/docker.sock or
// tcp://host:port), for the exec and inspect calls the sandbox makes where a task runs.
import Docker from "dockerode";

/** `unix:///run/docker.sock` or `tcp://10.0.0.5:2375` → a client; anything else is refused, naming it. */
export function engineFromUrl(url: string): Docker {
  const unix = /^unix:\/\/(\/.+)$/.exec(url);
  if (unix) return new Docker({ socketPath: unix[1] });
  const tcp = /^tcp:\/\/([^:/]+):(\d+)$/.exec(url);
  if (tcp) return new Docker({ host: tcp[1], port: Number(tcp[2]), protocol: "http" });
  throw new Error(`${JSON.stringify(url)} is not unix:///path or tcp://host:port`);
}

/** "n1=unix:///a.sock,n2=tcp://10.0.0.2:2375" → hostname → engine; errors name the entry and the fix. */
export function parseNodeEngines(list: string, option = "--nodes"): Record<string, Docker> {
  const engines: Record<string, Docker> = {};
  for (const entry of list.split(",").map((e) => e.trim()).filter(Boolean)) {
    const at = entry.indexOf("=");
    if (at < 1) throw new Error(`${option}: ${JSON.stringify(entry)} is not HOSTNAME=URL (the hostname as docker node ls shows it)`);
    const hostname = entry.slice(0, at);
    if (engines[hostname]) throw new Error(`${option}: node ${hostname} is given twice`);
    try {
      engines[hostname] = engineFromUrl(entry.slice(at + 1));
    } catch (error) {
      throw new Error(`${option}: node ${hostname}: ${(error as Error).message}`);
    }
  }
  if (!Object.keys(engines).length) throw new Error(`${option}: no node given; list every node as HOSTNAME=URL, comma-separated`);
  return engines;
}
