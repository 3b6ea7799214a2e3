/**
 * nginx as a reference proxy for `npm run bench:gateway` (Debian's `nginx` package, when installed):
 * one worker, keep-alive to the upstream, no buffering (tokens stream through as they come).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { shell } from "../bench-stats.js";
import { startPinned, type Pinned } from "./processes.js";

/** The nginx binary, or null when nginx is not installed. */
export function nginxBinary(): string | null {
  return shell("command -v nginx || ls /usr/sbin/nginx 2>/dev/null");
}

/** Starts nginx on `port` in front of `upstream` (`http://host:port/v1`), pinned to `core`. */
export async function startNginx(
  binary: string,
  upstream: string,
  port: number,
  core: number,
): Promise<Pinned> {
  const dir = mkdtempSync(join(tmpdir(), "llmux-bench-nginx-"));
  const target = new URL(upstream);
  writeFileSync(
    join(dir, "nginx.conf"),
    `worker_processes 1;
error_log ${dir}/error.log warn;
pid ${dir}/nginx.pid;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream mock { server ${target.host}; keepalive 256; }
  server {
    listen 127.0.0.1:${port} backlog=4096;
    keepalive_requests 1000000;
    location / {
      proxy_pass http://mock;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
    }
  }
}
`,
  );
  return startPinned({
    name: "nginx",
    core,
    command: binary,
    args: ["-p", dir, "-c", join(dir, "nginx.conf"), "-g", "daemon off;"],
    // nginx prints nothing when it starts: wait until the port answers instead.
    ready: null,
    url: `http://127.0.0.1:${port}/v1`,
  });
}
