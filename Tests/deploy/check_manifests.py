#!/usr/bin/env python3
"""Checks the deployment files under deploy/ without a container engine or a cluster.

    check_manifests.py [DEPLOY_DIR]        (default: deploy/ next to Tests/)

Parses every YAML file under DEPLOY_DIR (every document of each) and the Dockerfile, then checks the properties
an install relies on: a multi-stage release build that runs as non-root and ships the web UI's resource bundle
next to the binary; a compose file where each service runs in its own container, healthy before the gateway
starts, with secrets only interpolated; Kubernetes manifests where every service has its Deployment, Service,
PodDisruptionBudget and HorizontalPodAutoscaler wired to each other, probes, resources, a locked-down security
context; in both, a gateway whose upstreams are every backend, backends whose upstreams are their six peers
(services call each other over HTTP), each at a real compose service / Service, and trusted proxies set. Prints
one line per group of checks; exits 1 with one line per failed check (file, resource, what is wrong), 0 with
"check_manifests: N checks passed".

Only dependency beyond the standard library: PyYAML.
"""

import ipaddress
import os
import posixpath
import re
import shlex
import sys
from urllib.parse import urlsplit

import yaml

# Every value `--services` may take in a one-service-per-process install: the gateway plus the backends.
SERVICES = ["gateway", "auth", "users", "tickets", "files", "notifications", "audit", "channels", "automations"]
BACKENDS = [s for s in SERVICES if s != "gateway"]
# Services that must run as exactly one replica, and why (documented in their manifests).
SINGLETONS = {"channels": "it polls IMAP mailboxes: a second replica would poll the same mailboxes"}
SECRET_KEYS = ["HELPDESK_JWT_PRIVATE_KEY", "HELPDESK_SECRET_KEY"]
PORT = 8080
IMAGE_DATA_DIR = "/var/lib/helpdesk"  # the image's WORKDIR; the default data dir is ./data under it
BUNDLE = "helpdesk_WebUI.resources"


class Checks:
    """Counts checks per group; collects failures instead of stopping at the first."""

    def __init__(self):
        self.groups = []  # [name, passed, [failures]]

    def group(self, name):
        self.groups.append([name, 0, []])

    def check(self, condition, where, message):
        group = self.groups[-1]
        if condition:
            group[1] += 1
        else:
            group[2].append(f"{where}: {message}")
        return bool(condition)

    def report(self):
        passed = sum(g[1] for g in self.groups)
        failed = sum(len(g[2]) for g in self.groups)
        for name, ok, failures in self.groups:
            if failures:
                print(f"FAIL {name}: {len(failures)} of {ok + len(failures)} checks failed")
                for failure in failures:
                    print(f"  - {failure}")
            else:
                print(f"ok   {name}: {ok} checks")
        if failed:
            print(f"check_manifests: {failed} of {passed + failed} checks FAILED")
            return 1
        print(f"check_manifests: {passed} checks passed")
        return 0


# ---------------------------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------------------------

def rel(path, root):
    return os.path.relpath(path, os.path.dirname(os.path.abspath(root)))


def image_tag_problem(image):
    """None when the image reference has an explicit tag (or digest) other than `latest`, else the problem."""
    if not isinstance(image, str) or not image.strip():
        return "no image"
    if "@sha256:" in image:
        return None
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return f"image {image!r} has no tag (that means latest)"
    tag = last.rsplit(":", 1)[1]
    if tag == "latest" or not tag:
        return f"image {image!r} uses the latest tag"
    return None


def interpolate_defaults(value):
    """Compose-style ${VAR:-default} / ${VAR-default} → default; ${VAR}, ${VAR:?msg} → <VAR>."""
    def repl(match):
        name, op, rest = match.group(1), match.group(2), match.group(3)
        if op in (":-", "-"):
            return rest or ""
        return f"<{name}>"
    return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}", repl, value)


def is_interpolation(value):
    """True when the whole value comes from the environment: ${NAME}, ${NAME:?…}, ${NAME?…} (no literal default)."""
    return isinstance(value, str) and re.fullmatch(r"\$\{[A-Za-z_][A-Za-z0-9_]*(:?\?[^}]*)?\}", value.strip()) is not None


def services_arg(args):
    """The value of --services in an argument list, or None."""
    for i, arg in enumerate(args):
        if arg == "--services" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--services="):
            return arg.split("=", 1)[1]
    return None


def port_arg(args, default=PORT):
    for i, arg in enumerate(args):
        if arg == "--port" and i + 1 < len(args):
            return int(args[i + 1]) if args[i + 1].isdigit() else None
        if arg.startswith("--port="):
            value = arg.split("=", 1)[1]
            return int(value) if value.isdigit() else None
    return default


def parse_upstreams(value):
    """HELPDESK_UPSTREAMS: whitespace-separated service=url[,url…] → ({service: [url…]}, [problems])."""
    entries, problems = {}, []
    for token in (value or "").split():
        if "=" not in token:
            problems.append(f"entry {token!r} is not service=url[,url…]")
            continue
        name, urls = token.split("=", 1)
        if name in entries:
            problems.append(f"service {name!r} is listed twice")
        entries[name] = [u for u in urls.split(",") if u]
        if not entries[name]:
            problems.append(f"service {name!r} has no URL")
    return entries, problems


def trusted_proxies_problem(value):
    """None when HELPDESK_TRUSTED_PROXIES is a usable comma list of IPs / CIDR blocks, else the problem."""
    if not value or not value.strip():
        return "HELPDESK_TRUSTED_PROXIES is not set: a process behind a gateway or ingress would see it as the client"
    for item in value.split(","):
        item = item.strip()
        try:
            network = ipaddress.ip_network(item, strict=False)
        except ValueError:
            return f"HELPDESK_TRUSTED_PROXIES entry {item!r} is not an IP address or CIDR block"
        if network.prefixlen == 0:
            return f"HELPDESK_TRUSTED_PROXIES trusts {item}: every client could forge X-Forwarded-For"
    return None


def split_host(url):
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = -1
    return parts.scheme, parts.hostname, port


# ---------------------------------------------------------------------------------------------------------------
# YAML
# ---------------------------------------------------------------------------------------------------------------

def load_yaml_files(checks, deploy_dir):
    """{path: [documents]} for every .yaml/.yml file under deploy_dir."""
    checks.group("yaml: every file parses")
    loaded = {}
    for folder, dirs, files in os.walk(deploy_dir):
        dirs.sort()
        for name in sorted(files):
            if not name.endswith((".yaml", ".yml")):
                continue
            path = os.path.join(folder, name)
            try:
                with open(path, encoding="utf-8") as f:
                    docs = [d for d in yaml.safe_load_all(f) if d is not None]
            except yaml.YAMLError as error:
                checks.check(False, rel(path, deploy_dir), f"does not parse: {error}")
                continue
            checks.check(bool(docs), rel(path, deploy_dir), "holds no YAML document")
            checks.check(all(isinstance(d, dict) for d in docs), rel(path, deploy_dir), "a document is not a mapping")
            loaded[path] = [d for d in docs if isinstance(d, dict)]
    checks.check(bool(loaded), deploy_dir, "no YAML file found")
    return loaded


# ---------------------------------------------------------------------------------------------------------------
# Dockerfile
# ---------------------------------------------------------------------------------------------------------------

def dockerfile_instructions(text):
    """[(line number, INSTRUCTION, arguments)], continuation lines joined and comments dropped."""
    out, buffer, start = [], "", None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not buffer and (not line or line.startswith("#")):
            continue
        if buffer and line.startswith("#"):
            continue  # comment lines inside a continued instruction are removed by Docker
        if start is None:
            start = number
        if line.endswith("\\"):
            buffer += line[:-1] + " "
            continue
        buffer += line
        keyword, _, args = buffer.strip().partition(" ")
        out.append((start, keyword.upper(), args.strip()))
        buffer, start = "", None
    if buffer:
        keyword, _, args = buffer.strip().partition(" ")
        out.append((start, keyword.upper(), args.strip()))
    return out


def exec_form(args):
    """A JSON-array instruction argument as a list, a shell-form one split like a shell would."""
    args = args.strip()
    if args.startswith("["):
        try:
            value = yaml.safe_load(args)
            if isinstance(value, list):
                return [str(v) for v in value]
        except yaml.YAMLError:
            pass
    return shlex.split(args)


def copy_parts(args):
    """COPY arguments → (flags {name: value}, sources, destination)."""
    words = exec_form(args)
    flags = {}
    while words and words[0].startswith("--"):
        name, _, value = words.pop(0)[2:].partition("=")
        flags[name] = value
    if len(words) < 2:
        return flags, [], None
    return flags, words[:-1], words[-1]


def substitute(value, variables):
    def repl(match):
        name = match.group(1) or match.group(4)
        op, default = match.group(2), match.group(3)
        if name in variables and variables[name] != "":
            return variables[name]
        return default if op == ":-" and default is not None else variables.get(name, "")
    return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:-)([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)", repl, value)


def check_dockerfile(checks, path, deploy_dir):
    where = rel(path, deploy_dir)
    checks.group("dockerfile: multi-stage release build, non-root runtime, bundle next to the binary")
    if not checks.check(os.path.isfile(path), where, "missing"):
        return
    with open(path, encoding="utf-8") as f:
        instructions = dockerfile_instructions(f.read())

    global_args, stages = {}, []
    for line, keyword, args in instructions:
        if keyword == "FROM":
            stages.append({"line": line, "from": args, "body": []})
        elif not stages and keyword == "ARG":
            name, _, default = args.partition("=")
            global_args[name.strip()] = default.strip().strip('"')
        elif stages:
            stages[-1]["body"].append((line, keyword, args))

    checks.check(len(stages) >= 2, where, f"{len(stages)} FROM stage(s): expected a build stage and a runtime stage")
    if not stages:
        return
    stage_names = set()
    for stage in stages:
        words = [w for w in stage["from"].split() if not w.startswith("--")]  # drop --platform=…
        image = substitute(words[0], global_args) if words else ""
        label = f"{where}:{stage['line']} FROM {stage['from']}"
        if image.lower() != "scratch" and image not in stage_names:
            problem = image_tag_problem(image)
            checks.check(problem is None, label, problem or "")
        if len(words) >= 3 and words[1].upper() == "AS":
            stage_names.add(words[2])

    # Each `swift build` command in a build stage's RUN, up to the next shell separator; `--show-bin-path`
    # queries only print a folder.
    builds = []
    for stage in stages[:-1]:
        for ln, keyword, args in stage["body"]:
            if keyword == "RUN":
                for match in re.finditer(r"swift build\b([^;&|)]*)", args):
                    if "--show-bin-path" not in match.group(1):
                        builds.append((ln, match.group(0).strip()))
    checks.check(bool(builds), where, "no `swift build` RUN in a build stage")
    for ln, command in builds:
        checks.check(re.search(r"(-c|--configuration)[ =]release\b", command), f"{where}:{ln}",
                     f"`{command}` is not a release build (-c release)")
        checks.check("--static-swift-stdlib" in command, f"{where}:{ln}",
                     f"`{command}` does not link the Swift runtime statically (--static-swift-stdlib): the runtime "
                     "image has no Swift libraries")

    final = stages[-1]
    final_label = f"{where}: final stage (line {final['line']})"
    body = final["body"]
    users = [a for _, k, a in body if k == "USER"]
    if checks.check(bool(users), final_label, "no USER: the container would run as root"):
        user = substitute(users[-1], global_args).split(":")[0].strip()
        checks.check(user not in ("root", "0", ""), final_label, f"USER {users[-1]} is root")

    copies = [copy_parts(a) for _, k, a in body if k in ("COPY", "ADD")]
    binary_dirs, bundle_dirs = set(), set()
    for _, sources, dest in copies:
        if dest is None:
            continue
        for source in sources:
            base = posixpath.basename(source.rstrip("/"))
            if base == "helpdesk":
                binary_dirs.add(posixpath.dirname(dest) if posixpath.basename(dest.rstrip("/")) == "helpdesk"
                                and not dest.endswith("/") else dest.rstrip("/"))
            if base == BUNDLE:
                bundle_dirs.add(posixpath.dirname(dest.rstrip("/")) if posixpath.basename(dest.rstrip("/")) == BUNDLE
                                else dest.rstrip("/"))
    checks.check(bool(binary_dirs), final_label, "does not COPY the helpdesk binary")
    checks.check(bool(bundle_dirs), final_label, f"does not COPY the resource bundle {BUNDLE} (the web UI and OpenAPI "
                 "document: Bundle.module looks for it next to the binary)")
    if binary_dirs and bundle_dirs:
        checks.check(bool(binary_dirs & bundle_dirs), final_label,
                     f"{BUNDLE} is copied to {sorted(bundle_dirs)}, not next to the binary in {sorted(binary_dirs)}")

    entrypoints = [exec_form(a) for _, k, a in body if k == "ENTRYPOINT"]
    if checks.check(bool(entrypoints), final_label, "no ENTRYPOINT"):
        entry = entrypoints[-1][0] if entrypoints[-1] else ""
        checks.check(posixpath.basename(entry) == "helpdesk", final_label, f"ENTRYPOINT runs {entry!r}, not helpdesk")

    healthchecks = [a for _, k, a in body if k == "HEALTHCHECK"]
    if checks.check(bool(healthchecks), final_label, "no HEALTHCHECK"):
        last = healthchecks[-1]
        checks.check(last.strip().upper() != "NONE" and ("/healthz" in last or "/readyz" in last), final_label,
                     f"HEALTHCHECK does not probe /healthz or /readyz: {last}")
    exposed = {p.split("/")[0] for _, k, a in body if k == "EXPOSE" for p in substitute(a, global_args).split()}
    checks.check(str(PORT) in exposed, final_label, f"does not EXPOSE {PORT}")


# ---------------------------------------------------------------------------------------------------------------
# docker compose
# ---------------------------------------------------------------------------------------------------------------

def compose_environment(service):
    env = service.get("environment") or {}
    if isinstance(env, list):
        out = {}
        for item in env:
            key, _, value = str(item).partition("=")
            out[key] = value if "=" in str(item) else None
        return out
    return {str(k): (None if v is None else str(v)) for k, v in env.items()}


def compose_command(service):
    command = service.get("command")
    if command is None:
        return []
    if isinstance(command, str):
        return shlex.split(command)
    return [str(c) for c in command]


def check_compose(checks, path, docs, deploy_dir):
    where = rel(path, deploy_dir)
    checks.group("compose: services, commands, health, dependencies, ports, upstreams, secrets")
    if not checks.check(len(docs) == 1, where, f"{len(docs)} documents: expected one"):
        return
    services = docs[0].get("services") or {}
    if not checks.check(isinstance(services, dict) and services, where, "no services"):
        return

    for required in ["postgres", "redis"] + SERVICES:
        checks.check(required in services, where, f"no service {required!r}")

    def label(name):
        return f"{where}: service {name}"

    # Backing stores.
    if "postgres" in services:
        pg = services["postgres"]
        image = interpolate_defaults(str(pg.get("image", "")))
        checks.check(image_tag_problem(image) is None, label("postgres"), image_tag_problem(image) or "")
        checks.check(re.search(r":16(\b|[.-])", image) is not None, label("postgres"), f"image {image} is not PostgreSQL 16")
        test = " ".join(map(str, (pg.get("healthcheck") or {}).get("test") or []))
        checks.check("pg_isready" in test, label("postgres"), "no pg_isready healthcheck")
        password = compose_environment(pg).get("POSTGRES_PASSWORD")
        checks.check(is_interpolation(password), label("postgres"),
                     f"POSTGRES_PASSWORD is {'unset' if password is None else 'a literal'}: use ${{VAR:?…}}")
    if "redis" in services:
        redis = services["redis"]
        image = interpolate_defaults(str(redis.get("image", "")))
        checks.check(image_tag_problem(image) is None, label("redis"), image_tag_problem(image) or "")
        checks.check(re.search(r":7(\b|[.-])", image) is not None, label("redis"), f"image {image} is not Redis 7")
        test = " ".join(map(str, (redis.get("healthcheck") or {}).get("test") or []))
        checks.check("redis-cli" in test and "ping" in test, label("redis"), "no redis-cli ping healthcheck")

    # Every helpdesk container.
    helpdesk = {}
    for name, service in services.items():
        if name in ("postgres", "redis"):
            continue
        command = compose_command(service)
        value = services_arg(command)
        if value is None and "helpdesk" not in str(service.get("image", "")) and "build" not in service:
            continue  # not a helpdesk container
        helpdesk[name] = (service, command, value)

    for name, (service, command, value) in helpdesk.items():
        image = interpolate_defaults(str(service.get("image", "")))
        if "image" in service:
            checks.check(image_tag_problem(image) is None, label(name), image_tag_problem(image) or "")
        checks.check(bool(command) and command[0] == "serve", label(name), f"command {command} does not run `serve`")
        checks.check(value in SERVICES, label(name), f"--services {value!r} is not one of {', '.join(SERVICES)}")
        checks.check(value == name, label(name), f"runs --services {value!r}: expected --services {name}")
        health = service.get("healthcheck") or {}
        test = health.get("test") or []
        test_text = " ".join(map(str, test)) if isinstance(test, list) else str(test)
        checks.check(bool(test) and not health.get("disable") and test_text.strip().upper() != "NONE", label(name),
                     "no healthcheck")
        checks.check("/readyz" in test_text, label(name), f"healthcheck does not probe /readyz: {test_text!r}")
        depends = service.get("depends_on") or {}
        if isinstance(depends, list):
            depends = {d: {} for d in depends}
        for store in ("postgres", "redis"):
            condition = (depends.get(store) or {}).get("condition")
            checks.check(condition == "service_healthy", label(name),
                         f"depends_on {store} {'is missing' if store not in depends else f'with condition {condition!r}'}"
                         ": expected condition service_healthy")
        ports = service.get("ports") or []
        if name == "gateway":
            published = [str(p.get("target") if isinstance(p, dict) else p).rsplit(":", 1)[-1].split("/")[0]
                         for p in ports]
            checks.check(str(port_arg(command)) in published, label(name),
                         f"does not publish its port {port_arg(command)} (ports: {ports})")
        else:
            checks.check(not ports, label(name), f"publishes ports {ports}: only the gateway may")
        env = compose_environment(service)
        problem = trusted_proxies_problem(interpolate_defaults(env.get("HELPDESK_TRUSTED_PROXIES") or ""))
        checks.check(problem is None, label(name), problem or "")
        if value in BACKENDS:
            # Services call each other: each names the six others (never itself), or it reads their tables.
            peers = [b for b in BACKENDS if b != value]
            upstreams_value = env.get("HELPDESK_UPSTREAMS")
            if checks.check(bool(upstreams_value), label(name),
                            f"no HELPDESK_UPSTREAMS naming its peers ({', '.join(peers)}): it would read their tables"):
                check_upstreams(checks, label(name), upstreams_value, peers,
                                lambda host: host in helpdesk,
                                lambda host: port_arg(helpdesk[host][1]) if host in helpdesk else None,
                                lambda host: helpdesk[host][2] if host in helpdesk else None,
                                "compose service", itself=value)
        for key in SECRET_KEYS:
            if key in env:
                checks.check(is_interpolation(env[key]), label(name),
                             f"{key} is a hard-coded literal: reference ${{{key}:?…}} instead")
            else:
                checks.check(bool(service.get("env_file") or service.get("secrets")), label(name),
                             f"{key} is not set (the same key must reach every process)")
        database = env.get("HELPDESK_DATABASE_URL") or ""
        scheme, host, _ = split_host(interpolate_defaults(database))
        checks.check(scheme in ("postgres", "postgresql") and host in services, label(name),
                     f"HELPDESK_DATABASE_URL {database!r} is not postgres://…@<a compose service>")
        checks.check(not re.search(r"://[^:/@]+:[^$@]+@", database), label(name),
                     "HELPDESK_DATABASE_URL holds a literal password: interpolate it")
        redis_url = env.get("HELPDESK_REDIS_URL") or ""
        scheme, host, _ = split_host(interpolate_defaults(redis_url))
        checks.check(scheme in ("redis", "rediss") and host in services, label(name),
                     f"HELPDESK_REDIS_URL {redis_url!r} is not redis://<a compose service>")

    for name in SERVICES:
        if name in services and name not in helpdesk:
            checks.check(False, label(name), "does not run `helpdesk serve --services …`")

    # Disk-stored files must survive the container.
    if "files" in helpdesk:
        service = helpdesk["files"][0]
        mounts = [str(v if not isinstance(v, dict) else v.get("target", "")) for v in service.get("volumes") or []]
        targets = [m.split(":")[1] if ":" in m else m for m in mounts]
        has_blob = bool(compose_environment(service).get("HELPDESK_BLOB_URL"))
        checks.check(has_blob or any(t.rstrip("/") in (IMAGE_DATA_DIR, IMAGE_DATA_DIR + "/files") for t in targets),
                     label("files"), f"neither HELPDESK_BLOB_URL nor a volume at {IMAGE_DATA_DIR}/files")

    # The gateway: waits for the services, and routes to each of them.
    if "gateway" in helpdesk:
        service, command, _ = helpdesk["gateway"]
        depends = service.get("depends_on") or {}
        if isinstance(depends, list):
            depends = {d: {} for d in depends}
        for backend in BACKENDS:
            condition = (depends.get(backend) or {}).get("condition")
            checks.check(condition == "service_healthy", label("gateway"),
                         f"does not depend on {backend} with condition service_healthy")
        upstreams_value = compose_environment(service).get("HELPDESK_UPSTREAMS")
        if checks.check(bool(upstreams_value), label("gateway"), "no HELPDESK_UPSTREAMS"):
            check_upstreams(checks, label("gateway"), upstreams_value, BACKENDS,
                            lambda host: host in helpdesk,
                            lambda host: port_arg(helpdesk[host][1]) if host in helpdesk else None,
                            lambda host: helpdesk[host][2] if host in helpdesk else None,
                            "compose service")


def check_upstreams(checks, where, value, expected, host_exists, host_ports, host_serves, kind, itself=None):
    """HELPDESK_UPSTREAMS names exactly the expected backends, each once, each URL at an existing host and port serving
    that backend; `itself` is the service the process serves (the binary refuses an upstream for it)."""
    entries, problems = parse_upstreams(value)
    for problem in problems:
        checks.check(False, where, f"HELPDESK_UPSTREAMS: {problem}")
    for backend in expected:
        checks.check(backend in entries, where, f"HELPDESK_UPSTREAMS does not name {backend}")
    for name, urls in entries.items():
        if itself is not None and name == itself:
            checks.check(False, where, f"HELPDESK_UPSTREAMS names {name}, which this process serves "
                         f"(the binary refuses to start: upstream: {name} is served by this process)")
            continue
        checks.check(name in expected, where, f"HELPDESK_UPSTREAMS names {name!r}, not one of {', '.join(expected)}")
        for url in urls:
            scheme, host, port = split_host(url)
            port = port or (443 if scheme == "https" else 80)
            if not checks.check(scheme in ("http", "https") and host, where,
                                f"HELPDESK_UPSTREAMS {name}={url}: not an http(s) URL"):
                continue
            if not checks.check(host_exists(host), where,
                                f"HELPDESK_UPSTREAMS {name}={url}: host {host!r} is not a {kind}"):
                continue
            ports = host_ports(host)
            ports = ports if isinstance(ports, (set, list, tuple)) else {ports}
            checks.check(port in ports, where,
                         f"HELPDESK_UPSTREAMS {name}={url}: port {port} is not the {kind}'s port {sorted(p for p in ports if p)}")
            serves = host_serves(host)
            checks.check(serves == name, where,
                         f"HELPDESK_UPSTREAMS {name}={url}: {host!r} serves {serves!r}, not {name}")


# ---------------------------------------------------------------------------------------------------------------
# Kubernetes
# ---------------------------------------------------------------------------------------------------------------

def pod_template(deployment):
    return ((deployment.get("spec") or {}).get("template") or {})


def pod_labels(deployment):
    return ((pod_template(deployment).get("metadata") or {}).get("labels") or {})


def pod_spec(deployment):
    return pod_template(deployment).get("spec") or {}


def selects(selector, labels):
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def container_ports(container):
    return {(p.get("name"), p.get("containerPort")) for p in container.get("ports") or []}


def port_resolves(port, container):
    """A probe or targetPort (name or number) names one of the container's ports."""
    for name, number in container_ports(container):
        if port == name or port == number or (isinstance(port, str) and port.isdigit() and int(port) == number):
            return True
    return False


def check_kubernetes(checks, folder, docs_by_file, deploy_dir):
    resources = []  # (file, doc)
    kustomization = None
    for path, docs in docs_by_file.items():
        for doc in docs:
            if doc.get("kind") == "Kustomization":
                kustomization = (path, doc)
            else:
                resources.append((path, doc))

    def ident(path, doc):
        return f"{rel(path, deploy_dir)}: {doc.get('kind')}/{(doc.get('metadata') or {}).get('name')}"

    checks.group("kubernetes: resources are well-formed and unique")
    seen = {}
    namespaces = {(d.get("metadata") or {}).get("name") for _, d in resources if d.get("kind") == "Namespace"}
    checks.check(len(namespaces) == 1, rel(folder, deploy_dir), f"expected one Namespace, found {sorted(namespaces)}")
    for path, doc in resources:
        name = (doc.get("metadata") or {}).get("name")
        checks.check(doc.get("apiVersion") and doc.get("kind") and name, ident(path, doc),
                     "missing apiVersion, kind or metadata.name")
        key = (doc.get("kind"), name)
        checks.check(key not in seen, ident(path, doc), f"defined twice (also in {seen.get(key)})")
        seen[key] = rel(path, deploy_dir)
        if doc.get("kind") != "Namespace":
            ns = (doc.get("metadata") or {}).get("namespace")
            checks.check(ns in namespaces, ident(path, doc), f"namespace {ns!r} is not the Namespace {sorted(namespaces)}")

    def of_kind(kind):
        return [(p, d) for p, d in resources if d.get("kind") == kind]

    deployments = of_kind("Deployment")
    k8s_services = of_kind("Service")
    hpas = of_kind("HorizontalPodAutoscaler")
    pdbs = of_kind("PodDisruptionBudget")
    configmaps = {(d.get("metadata") or {}).get("name"): d for _, d in of_kind("ConfigMap")}
    secrets = {(d.get("metadata") or {}).get("name"): d for _, d in of_kind("Secret")}
    origin = {id(d): p for p, d in resources}

    def first_container(doc):
        containers = pod_spec(doc).get("containers") or []
        return containers[0] if containers else {}

    def deployment_service_name(doc):
        return services_arg([str(a) for a in (first_container(doc).get("args") or [])])

    # --- Deployments ---
    checks.group("kubernetes: one Deployment per service, labels, args, replicas")
    by_service = {}
    for path, doc in deployments:
        value = deployment_service_name(doc)
        checks.check(value in SERVICES, ident(path, doc), f"--services {value!r} is not one of {', '.join(SERVICES)}")
        by_service.setdefault(value, []).append((path, doc))
    for name in SERVICES:
        found = by_service.get(name, [])
        checks.check(len(found) == 1, rel(folder, deploy_dir),
                     f"{len(found)} Deployments run --services {name}: expected exactly one")
    for path, doc in deployments:
        where = ident(path, doc)
        spec = doc.get("spec") or {}
        service = deployment_service_name(doc)
        labels = pod_labels(doc)
        selector = (spec.get("selector") or {}).get("matchLabels") or {}
        checks.check(selects(selector, labels), where, f"selector {selector} does not match its pod labels {labels}")
        checks.check(labels.get("app.kubernetes.io/name") == "helpdesk", where,
                     "pod label app.kubernetes.io/name is not helpdesk")
        checks.check(labels.get("app.kubernetes.io/component") == service, where,
                     f"pod label app.kubernetes.io/component is {labels.get('app.kubernetes.io/component')!r}, "
                     f"but it runs --services {service}")
        args = [str(a) for a in first_container(doc).get("args") or []]
        checks.check(args[:1] == ["serve"] and port_arg(args) == PORT and "0.0.0.0" in args, where,
                     f"args {args}: expected serve --services {service} --host 0.0.0.0 --port {PORT}")
        replicas = spec.get("replicas", 1)
        if service in SINGLETONS:
            checks.check(replicas == 1, where, f"replicas {replicas}: {service} must run alone ({SINGLETONS[service]})")
            checks.check((spec.get("strategy") or {}).get("type") == "Recreate", where,
                         f"strategy is not Recreate: a rollout would run two {service} pods at once")
        else:
            checks.check(isinstance(replicas, int) and replicas >= 2, where, f"replicas {replicas}: expected at least 2")

    # --- Containers ---
    checks.group("kubernetes: containers (image, probes, resources, security, envFrom, volumes)")
    for path, doc in deployments:
        where = ident(path, doc)
        spec = pod_spec(doc)
        pod_security = spec.get("securityContext") or {}
        containers = spec.get("containers") or []
        checks.check(bool(containers), where, "no containers")
        for container in containers + (spec.get("initContainers") or []):
            cwhere = f"{where} container {container.get('name')}"
            problem = image_tag_problem(container.get("image"))
            checks.check(problem is None, cwhere, problem or "")
            resources_ = container.get("resources") or {}
            for section in ("requests", "limits"):
                for resource in ("cpu", "memory"):
                    checks.check((resources_.get(section) or {}).get(resource) not in (None, ""), cwhere,
                                 f"no resources.{section}.{resource}")
            security = container.get("securityContext") or {}

            def effective(key):
                return security[key] if key in security else pod_security.get(key)
            checks.check(effective("runAsNonRoot") is True, cwhere, "securityContext.runAsNonRoot is not true")
            checks.check(effective("runAsUser") not in (0, "0"), cwhere, "securityContext.runAsUser is 0 (root)")
            checks.check(security.get("allowPrivilegeEscalation") is False, cwhere,
                         "securityContext.allowPrivilegeEscalation is not false")
            checks.check(security.get("readOnlyRootFilesystem") is True, cwhere,
                         "securityContext.readOnlyRootFilesystem is not true")
            drop = (security.get("capabilities") or {}).get("drop") or []
            checks.check("ALL" in drop, cwhere, "securityContext.capabilities.drop does not include ALL")

            # Where the environment comes from: every referenced ConfigMap and Secret exists.
            env_sources = {}
            for source in container.get("envFrom") or []:
                if "configMapRef" in source:
                    ref = source["configMapRef"].get("name")
                    exists = ref in configmaps
                    checks.check(exists or source["configMapRef"].get("optional"), cwhere,
                                 f"envFrom ConfigMap {ref!r} does not exist")
                    if exists:
                        for key, value in (configmaps[ref].get("data") or {}).items():
                            env_sources[key] = ("ConfigMap", ref, value)
                if "secretRef" in source:
                    ref = source["secretRef"].get("name")
                    exists = ref in secrets
                    checks.check(exists or source["secretRef"].get("optional"), cwhere,
                                 f"envFrom Secret {ref!r} does not exist")
                    if exists:
                        secret = secrets[ref]
                        for key in list((secret.get("stringData") or {})) + list((secret.get("data") or {})):
                            env_sources[key] = ("Secret", ref, (secret.get("stringData") or {}).get(key))
            for item in container.get("env") or []:
                value_from = item.get("valueFrom") or {}
                if "configMapKeyRef" in value_from:
                    ref = value_from["configMapKeyRef"].get("name")
                    checks.check(ref in configmaps, cwhere, f"env {item.get('name')}: ConfigMap {ref!r} does not exist")
                    env_sources[item.get("name")] = ("ConfigMap", ref, None)
                elif "secretKeyRef" in value_from:
                    ref = value_from["secretKeyRef"].get("name")
                    checks.check(ref in secrets, cwhere, f"env {item.get('name')}: Secret {ref!r} does not exist")
                    env_sources[item.get("name")] = ("Secret", ref, None)
                else:
                    env_sources[item.get("name")] = ("env", None, item.get("value"))
            container["_env"] = env_sources
            if container not in containers:
                continue

            proxies = env_sources.get("HELPDESK_TRUSTED_PROXIES")
            if proxies is None or proxies[2] is not None:  # a configMapKeyRef / secretKeyRef value is not known here
                problem = trusted_proxies_problem(proxies[2] if proxies else None)
                checks.check(problem is None, cwhere, problem or "")
            for key in SECRET_KEYS:
                source = env_sources.get(key)
                checks.check(source is not None and source[0] == "Secret", cwhere,
                             f"{key} does not come from a Secret ({'unset' if source is None else source[0]})")

            liveness = ((container.get("livenessProbe") or {}).get("httpGet") or {})
            readiness = ((container.get("readinessProbe") or {}).get("httpGet") or {})
            checks.check(liveness.get("path") == "/healthz", cwhere,
                         f"livenessProbe is not an httpGet on /healthz ({liveness.get('path')!r})")
            checks.check(readiness.get("path") == "/readyz", cwhere,
                         f"readinessProbe is not an httpGet on /readyz ({readiness.get('path')!r})")
            for probe_name, probe in (("livenessProbe", liveness), ("readinessProbe", readiness)):
                if probe:
                    checks.check(port_resolves(probe.get("port"), container), cwhere,
                                 f"{probe_name} port {probe.get('port')!r} is not a container port")
            checks.check(any(number == PORT for _, number in container_ports(container)), cwhere,
                         f"no containerPort {PORT}")

            # A read-only root filesystem needs writable /tmp and data dir.
            mounts = {m.get("mountPath", "").rstrip("/") for m in container.get("volumeMounts") or []}
            volumes = {v.get("name") for v in spec.get("volumes") or []}
            for mount in container.get("volumeMounts") or []:
                checks.check(mount.get("name") in volumes, cwhere, f"volumeMount {mount.get('name')!r} has no volume")
            data_dir = (env_sources.get("HELPDESK_DATA_DIR") or (None, None, None))[2] or IMAGE_DATA_DIR + "/data"
            for needed in ("/tmp", data_dir.rstrip("/")):
                checks.check(any(needed == m or needed.startswith(m + "/") for m in mounts), cwhere,
                             f"read-only root filesystem but nothing writable mounted at {needed}")

    # --- Services ---
    checks.group("kubernetes: Services select their Deployment, ports match")
    service_index = {}
    for name in SERVICES:
        deps = by_service.get(name, [])
        if len(deps) != 1:
            continue
        dpath, dep = deps[0]
        matching = [(p, s) for p, s in k8s_services
                    if selects((s.get("spec") or {}).get("selector") or {}, pod_labels(dep))]
        checks.check(len(matching) == 1, ident(dpath, dep),
                     f"{len(matching)} Services select its pods: expected exactly one")
    for path, svc in k8s_services:
        where = ident(path, svc)
        spec = svc.get("spec") or {}
        selector = spec.get("selector") or {}
        targets = [(p, d) for p, d in deployments if selects(selector, pod_labels(d))]
        if not checks.check(len(targets) == 1, where,
                            f"selector {selector} matches {len(targets)} Deployments' pods: expected exactly one"):
            continue
        dep = targets[0][1]
        container = first_container(dep)
        checks.check(spec.get("type", "ClusterIP") == "ClusterIP", where, f"type {spec.get('type')}: expected ClusterIP")
        ports = spec.get("ports") or []
        checks.check(bool(ports), where, "no ports")
        for port in ports:
            target = port.get("targetPort", port.get("port"))
            checks.check(port_resolves(target, container), where,
                         f"targetPort {target!r} is not a containerPort of Deployment {dep['metadata']['name']}")
        checks.check(any(p.get("port") == PORT and p.get("name") == "http" for p in ports), where,
                     f"no port {PORT} named http")
        service_index[svc["metadata"]["name"]] = ({p.get("port") for p in ports}, deployment_service_name(dep))

    # --- HorizontalPodAutoscalers ---
    checks.group("kubernetes: HorizontalPodAutoscalers target their Deployment")
    deployment_names = {d["metadata"]["name"]: d for _, d in deployments if d.get("metadata")}
    hpa_targets = {}
    for path, hpa in hpas:
        where = ident(path, hpa)
        spec = hpa.get("spec") or {}
        checks.check(hpa.get("apiVersion") == "autoscaling/v2", where, f"apiVersion {hpa.get('apiVersion')}: expected autoscaling/v2")
        ref = spec.get("scaleTargetRef") or {}
        target = deployment_names.get(ref.get("name")) if ref.get("kind") == "Deployment" else None
        checks.check(target is not None, where, f"scaleTargetRef {ref.get('kind')}/{ref.get('name')} is not a Deployment here")
        low, high = spec.get("minReplicas", 1), spec.get("maxReplicas")
        checks.check(isinstance(high, int) and isinstance(low, int) and low <= high, where,
                     f"minReplicas {low} > maxReplicas {high}")
        metrics = spec.get("metrics") or []
        checks.check(any((m.get("resource") or {}).get("name") == "cpu"
                         and ((m.get("resource") or {}).get("target") or {}).get("type") == "Utilization"
                         for m in metrics), where, "no CPU utilization target")
        if target is not None:
            service = deployment_service_name(target)
            hpa_targets.setdefault(service, []).append(hpa)
            if service in SINGLETONS:
                checks.check(isinstance(high, int) and high <= 1, where,
                             f"maxReplicas {high}: {service} must run alone ({SINGLETONS[service]})")
            else:
                checks.check(isinstance(low, int) and low >= 2, where, f"minReplicas {low}: expected at least 2")
    for name in SERVICES:
        found = hpa_targets.get(name, [])
        if name in SINGLETONS:
            checks.check(len(found) <= 1, rel(folder, deploy_dir), f"{len(found)} HPAs target {name}")
        else:
            checks.check(len(found) == 1, rel(folder, deploy_dir),
                         f"{len(found)} HorizontalPodAutoscalers target the {name} Deployment: expected exactly one")

    # --- PodDisruptionBudgets ---
    checks.group("kubernetes: PodDisruptionBudgets select their Deployment")
    pdb_targets = {}
    for path, pdb in pdbs:
        where = ident(path, pdb)
        spec = pdb.get("spec") or {}
        checks.check(pdb.get("apiVersion") == "policy/v1", where, f"apiVersion {pdb.get('apiVersion')}: expected policy/v1")
        checks.check(("minAvailable" in spec) != ("maxUnavailable" in spec), where,
                     "expected exactly one of minAvailable and maxUnavailable")
        selector = (spec.get("selector") or {}).get("matchLabels") or {}
        targets = [d for _, d in deployments if selects(selector, pod_labels(d))]
        if checks.check(len(targets) == 1, where, f"selector {selector} matches {len(targets)} Deployments: expected one"):
            service = deployment_service_name(targets[0])
            pdb_targets.setdefault(service, []).append(pdb)
            replicas = (targets[0].get("spec") or {}).get("replicas", 1)
            minimum = spec.get("minAvailable")
            if isinstance(minimum, int):
                checks.check(minimum < replicas, where,
                             f"minAvailable {minimum} with {replicas} replica(s) blocks every eviction (node drains)")
    for name in SERVICES:
        found = pdb_targets.get(name, [])
        checks.check(len(found) == 1, rel(folder, deploy_dir),
                     f"{len(found)} PodDisruptionBudgets select the {name} pods: expected exactly one")

    # --- Upstreams ---
    # The gateway forwards to every backend; each backend calls its six peers (never itself), or it would read their
    # tables in the shared database.
    checks.group("kubernetes: the gateway's and each service's upstreams are the Services")
    for name in SERVICES:
        found = by_service.get(name, [])
        if len(found) != 1:
            continue
        path, dep = found[0]
        expected = BACKENDS if name == "gateway" else [b for b in BACKENDS if b != name]
        container = first_container(dep)
        source = (container.get("_env") or {}).get("HELPDESK_UPSTREAMS")
        value = source[2] if source else None
        namespace = (dep.get("metadata") or {}).get("namespace")

        def service_host(host, namespace=namespace):
            for suffix in (f".{namespace}.svc.cluster.local", f".{namespace}.svc", f".{namespace}"):
                if namespace and host.endswith(suffix):
                    return host[: -len(suffix)]
            return host
        if checks.check(bool(value), ident(path, dep),
                        f"no HELPDESK_UPSTREAMS value (env) naming {', '.join(expected)}"):
            check_upstreams(checks, ident(path, dep), value, expected,
                            lambda host: service_host(host) in service_index,
                            lambda host: service_index.get(service_host(host), (set(), None))[0],
                            lambda host: service_index.get(service_host(host), (set(), None))[1],
                            "Service", itself=None if name == "gateway" else name)
    for path, ingress in of_kind("Ingress"):
        for rule in (ingress.get("spec") or {}).get("rules") or []:
            for item in ((rule.get("http") or {}).get("paths") or []):
                backend = ((item.get("backend") or {}).get("service") or {})
                name = backend.get("name")
                checks.check(name in service_index, ident(path, ingress), f"backend Service {name!r} does not exist")
                port = backend.get("port") or {}
                svc = next((s for _, s in k8s_services if s["metadata"]["name"] == name), None)
                if svc is not None:
                    ports = (svc.get("spec") or {}).get("ports") or []
                    checks.check(any(port.get("name") == p.get("name") or port.get("number") == p.get("port")
                                     for p in ports), ident(path, ingress), f"backend port {port} is not a port of {name}")

    # --- ConfigMap / Secret ---
    checks.group("kubernetes: ConfigMap and Secret")
    for name, cm in configmaps.items():
        for key in SECRET_KEYS + ["HELPDESK_DATABASE_URL", "AWS_SECRET_ACCESS_KEY"]:
            checks.check(key not in (cm.get("data") or {}), ident(origin[id(cm)], cm), f"holds {key}: secrets belong in a Secret")
        checks.check("HELPDESK_UPSTREAMS" not in (cm.get("data") or {}), ident(origin[id(cm)], cm),
                     "holds HELPDESK_UPSTREAMS: the gateway's and each service's lists differ (set it per Deployment)")
    for name, secret in secrets.items():
        checks.check(secret.get("type", "Opaque") == "Opaque", ident(origin[id(secret)], secret), f"type {secret.get('type')}: expected Opaque")

    # --- kustomization ---
    checks.group("kubernetes: kustomization lists every file")
    if checks.check(kustomization is not None, rel(folder, deploy_dir), "no kustomization.yaml"):
        kpath, kdoc = kustomization
        listed = [str(r) for r in kdoc.get("resources") or []]
        files = sorted(os.path.basename(p) for p in docs_by_file if os.path.abspath(p) != os.path.abspath(kpath))
        for name in files:
            checks.check(name in listed, rel(kpath, deploy_dir), f"does not list {name}")
        for name in listed:
            checks.check(os.path.exists(os.path.join(folder, name)), rel(kpath, deploy_dir), f"lists {name}, which does not exist")
        for image in kdoc.get("images") or []:
            tag = str(image.get("newTag", ""))
            checks.check(image.get("digest") or (tag and tag != "latest"), rel(kpath, deploy_dir),
                         f"images: {image.get('name')} newTag {tag!r} (expected a version)")
        if kdoc.get("namespace"):
            checks.check(kdoc["namespace"] in namespaces, rel(kpath, deploy_dir),
                         f"namespace {kdoc['namespace']!r} is not the Namespace defined here")


# ---------------------------------------------------------------------------------------------------------------

def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    deploy_dir = os.path.abspath(argv[1] if len(argv) > 1 else os.path.join(here, "..", "..", "deploy"))
    if not os.path.isdir(deploy_dir):
        print(f"check_manifests: {deploy_dir} is not a folder")
        return 2
    checks = Checks()
    loaded = load_yaml_files(checks, deploy_dir)

    check_dockerfile(checks, os.path.join(deploy_dir, "Dockerfile"), deploy_dir)

    compose = [p for p in loaded if os.path.basename(p) in ("docker-compose.yml", "docker-compose.yaml",
                                                            "compose.yml", "compose.yaml")]
    checks.group("compose: file present")
    if checks.check(len(compose) == 1, deploy_dir, f"expected one compose file, found {len(compose)}"):
        check_compose(checks, compose[0], loaded[compose[0]], deploy_dir)

    folder = os.path.join(deploy_dir, "kubernetes")
    checks.group("kubernetes: folder present")
    if checks.check(os.path.isdir(folder), deploy_dir, "no kubernetes/ folder"):
        in_folder = {p: d for p, d in loaded.items() if os.path.dirname(os.path.abspath(p)) == os.path.abspath(folder)}
        check_kubernetes(checks, folder, in_folder, deploy_dir)
    return checks.report()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
