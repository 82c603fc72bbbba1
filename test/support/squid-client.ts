// A proxy client that can choose its source address, so one loopback host can act as several apps.
import * as http from "node:http";
import * as net from "node:net";
import * as tls from "node:tls";

export interface ProxyResponse {
  status: number;
  body: string;
}

const PROXY_HOST = "127.0.0.1";

/** `GET <absolute url>` through the proxy from `localAddress`, the way HTTP_PROXY clients do. */
export function proxyGet(proxyPort: number, url: string, localAddress: string, timeoutMs = 10_000): Promise<ProxyResponse> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const req = http.request({ host: PROXY_HOST, port: proxyPort, method: "GET", path: url, localAddress, headers: { host: target.host }, agent: false, timeout: timeoutMs });
    req.once("timeout", () => req.destroy(new Error(`GET ${url} via proxy timed out`)));
    req.once("error", reject);
    req.once("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.once("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      res.once("error", reject);
    });
    req.end();
  });
}

export interface ConnectResult {
  status: number;
  /** the tunnel, when the proxy answered 200 */
  socket?: net.Socket;
}

/** `CONNECT host:port` through the proxy from `localAddress`. */
export function proxyConnect(proxyPort: number, authority: string, localAddress: string, timeoutMs = 10_000): Promise<ConnectResult> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: PROXY_HOST, port: proxyPort, method: "CONNECT", path: authority, localAddress, agent: false, timeout: timeoutMs });
    req.once("timeout", () => req.destroy(new Error(`CONNECT ${authority} timed out`)));
    req.once("error", reject);
    req.once("connect", (res, socket) => {
      if (res.statusCode === 200) resolve({ status: 200, socket });
      else {
        socket.destroy();
        resolve({ status: res.statusCode ?? 0 });
      }
    });
    // Squid answers a denied CONNECT with an ordinary response
    req.once("response", (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0 });
    });
    req.end();
  });
}

/** An HTTPS GET inside an established tunnel, verifying the origin's certificate against `ca`. */
export function httpsGetOverTunnel(socket: net.Socket, servername: string, ca: string, path = "/", timeoutMs = 10_000): Promise<ProxyResponse> {
  return new Promise((resolve, reject) => {
    const secure = tls.connect({ socket, servername, ca });
    const timer = setTimeout(() => secure.destroy(new Error("HTTPS over tunnel timed out")), timeoutMs);
    const chunks: Buffer[] = [];
    secure.once("secureConnect", () => secure.write(`GET ${path} HTTP/1.1\r\nHost: ${servername}\r\nConnection: close\r\n\r\n`));
    secure.on("data", (chunk: Buffer) => chunks.push(chunk));
    secure.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    secure.once("close", () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString("utf8");
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      if (!status) return reject(new Error(`no HTTP response in the tunnel: ${JSON.stringify(text.slice(0, 200))}`));
      resolve({ status: Number(status[1]), body: text.slice(text.indexOf("\r\n\r\n") + 4) });
    });
  });
}
