import schemathesis

# message/rfc822 bodies are bytes, like application/octet-stream.
schemathesis.serializer.alias("message/rfc822", "application/octet-stream")
