// The narrow input of the squid.conf renderer: only what the file needs, nothing Pulumi.

export interface SquidApp {
  /** the app's name (a lowercase DNS label); it names the app in the access log */
  name: string;
  /** the app's own network, e.g. 10.208.4.16/28: requests from it may use this app's whitelist only */
  subnet: string;
  /** whitelist: `api.example.com` for one host, `.example.com` for the domain and all its subdomains */
  egress: string[];
}

export interface SquidConfInput {
  apps: SquidApp[];
  /** the platform's own address space (platform:network.baseCidr): never a destination */
  baseCidr: string;
  listen: {
    port: number;
    /** an IPv4 address to bind; omitted = every interface of the proxy container */
    address?: string;
  };
  /** ports plain HTTP may go to (platform:egress.httpPorts) */
  httpPorts: number[];
  /** ports CONNECT tunnels may go to (platform:egress.connectPorts) */
  connectPorts: number[];
  log: {
    /** Squid access_log destination; the JSON lines go here (default stdio:/dev/stdout) */
    accessLog: string;
    /** Squid's own diagnostics (default /dev/stderr) */
    cacheLog: string;
  };
  runtime: {
    /**
     * `none` in the container: Squid is PID 1 there and refuses a PID file holding 1 for `-k` commands,
     * so the healthcheck probes the port instead and nothing needs a writable runtime directory
     */
    pidFile: string;
    /** replaces /etc/hosts for name resolution (tests and the sandbox) */
    hostsFile?: string;
    /** replaces the resolvers of /etc/resolv.conf */
    dnsNameservers?: string[];
    /** how long Squid lets open transactions finish on shutdown */
    shutdownLifetimeSeconds: number;
    /** the name Squid uses in its own error pages */
    visibleHostname: string;
  };
}

/** Where the proxy keeps its runtime files inside its container (see components/egress-proxy.ts). */
export const SQUID_DEFAULTS = {
  accessLog: "stdio:/dev/stdout",
  cacheLog: "/dev/stderr",
  pidFile: "none",
  shutdownLifetimeSeconds: 5,
  visibleHostname: "egress",
} as const;
