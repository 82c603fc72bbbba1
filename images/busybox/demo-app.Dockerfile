# A stand-in third-party app: stays up doing nothing and stops cleanly on SIGTERM.
ARG BASE
FROM ${BASE}
CMD ["sh", "-c", "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done"]
