# A stand-in backend service: busybox httpd serving static answers on port 8080 (healthz, /v1/...).
ARG BASE
FROM ${BASE}
COPY www/ /srv/www/
CMD ["httpd", "-f", "-v", "-p", "8080", "-h", "/srv/www"]
