// The jobs page of folio serve: sign in with a token, upload documents,
// follow jobs, download their content. The token is kept in sessionStorage
// (this tab only) and sent as an Authorization header, never in a URL. Text
// from the server is set as textContent, never parsed as HTML.
"use strict";
(() => {
	const tokenKey = "folio-token";
	const perPage = 20;
	const pollMillis = 1000;
	const finalStatus = new Set(["fail_to_receive", "fail_to_process", "canceled", "complete"]);
	const labels = {
		request_received: "Receiving", fail_to_receive: "Rejected", ready_to_process: "Waiting",
		processing: "Rendering", fail_to_process: "Failed", canceled: "Canceled", complete: "Completed",
	};
	const serverStates = {1: "Waiting", 2: "Starting", 3: "Rendering", 4: "Completed", 5: "Failed", 6: "Paused"};

	const $ = (id) => document.getElementById(id);
	let token = sessionStorage.getItem(tokenKey) || "";
	let page = 0; // 0 is the newest jobs
	let generation = 0; // a new list stops the polls of the old one

	// el makes an element with attributes and children (strings become text).
	function el(name, attrs, ...children) {
		const e = document.createElement(name);
		for (const [k, v] of Object.entries(attrs || {})) {
			if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? "" : v);
		}
		for (const c of children) {
			if (c !== undefined && c !== null) e.append(c);
		}
		return e;
	}

	function announce(msg) {
		const a = $("announce");
		a.textContent = "";
		setTimeout(() => { a.textContent = msg; }, 50);
	}

	class APIError extends Error {
		constructor(status, body) {
			const e = body && body.error;
			super(e && e.message ? e.message : `the server answered ${status}`);
			this.status = status;
			this.details = (e && Array.isArray(e.details)) ? e.details : [];
		}
	}

	// api sends a request with the token and returns the response; a 401
	// signs out.
	async function api(method, path, body, headers) {
		const h = new Headers(headers || {});
		h.set("Authorization", "Bearer " + token);
		const res = await fetch(path, {method, headers: h, body, cache: "no-store", credentials: "omit", referrerPolicy: "no-referrer"});
		if (res.status === 401) {
			signOut("Your token was not accepted: sign in again.");
			throw new APIError(401, await res.json().catch(() => null));
		}
		return res;
	}

	// apiJSON is api for JSON answers: it returns the body, or throws an
	// APIError with the error body's message.
	async function apiJSON(method, path, body, headers) {
		const res = await api(method, path, body, headers);
		const data = await res.json().catch(() => null);
		if (!res.ok) throw new APIError(res.status, data);
		return data;
	}

	// Signing in and out.

	function showSignedIn(on) {
		$("signin").hidden = on;
		$("app").hidden = !on;
		$("signout").hidden = !on;
	}

	function signOut(why) {
		generation++;
		token = "";
		sessionStorage.removeItem(tokenKey);
		showSignedIn(false);
		$("jobs").tBodies[0].replaceChildren();
		$("upload-result").replaceChildren();
		$("signin-error").textContent = why || "";
		$("token").value = "";
		$("token").focus();
	}

	$("signin-form").addEventListener("submit", async (ev) => {
		ev.preventDefault();
		const t = $("token").value.trim();
		const err = $("signin-error");
		if (t === "") {
			err.textContent = "Enter your token.";
			return;
		}
		err.textContent = "";
		token = t;
		try {
			await apiJSON("GET", "/jobs?per_page=1");
		} catch (e) {
			token = "";
			err.textContent = e.status === 401 ? "This token is not accepted." : "Could not sign in: " + e.message;
			return;
		}
		sessionStorage.setItem(tokenKey, token);
		$("token").value = "";
		showSignedIn(true);
		page = 0;
		await load();
		$("file").focus();
	});

	$("signout").addEventListener("click", () => signOut("Signed out."));

	// The list of jobs, newest first. The API pages from the oldest, so a
	// page of the newest is cut from at most two of its pages.

	async function load() {
		const gen = ++generation;
		let entries = [];
		let total = 0;
		try {
			total = (await apiJSON("GET", "/jobs?per_page=1")).total_entries;
			const pages = Math.max(1, Math.ceil(total / perPage));
			page = Math.min(page, pages - 1);
			const hi = total - page * perPage;
			const lo = Math.max(0, hi - perPage);
			for (let p = Math.floor(lo / perPage) + 1; hi > 0 && p <= Math.floor((hi - 1) / perPage) + 1; p++) {
				const r = await apiJSON("GET", `/jobs?per_page=${perPage}&page=${p}`);
				r.entries.forEach((e, i) => {
					const at = (p - 1) * perPage + i;
					if (at >= lo && at < hi) entries.push(e);
				});
			}
			if (gen !== generation) return;
			entries.reverse();
			$("page-info").textContent = total === 0 ? "" : `Jobs ${total - hi + 1}–${total - lo} of ${total}`;
			$("newer").disabled = page === 0;
			$("older").disabled = lo === 0;
		} catch (e) {
			if (e.status !== 401) announce("Could not load the jobs: " + e.message);
			return;
		}
		const body = $("jobs").tBodies[0];
		body.replaceChildren(...entries.map(row));
		$("jobs-empty").hidden = total !== 0;
		$("jobs").hidden = total === 0;
		for (const e of entries) {
			if (!finalStatus.has(e.status)) poll(e.id, gen);
		}
	}

	$("refresh").addEventListener("click", () => load());
	$("newer").addEventListener("click", () => { page = Math.max(0, page - 1); load(); });
	$("older").addEventListener("click", () => { page++; load(); });

	function violations(list, count) {
		const ol = el("ol", {class: "violations"});
		for (const v of list) {
			ol.append(el("li", {}, el("code", {}, v.pointer === "" ? "(document)" : v.pointer), " ", v.message));
		}
		if (count > list.length) ol.append(el("li", {class: "more"}, `and ${count - list.length} more`));
		return ol;
	}

	function plural(n, one, many) { return `${n} ${n === 1 ? one : many}`; }

	function created(iso) {
		const d = new Date(iso);
		const text = isNaN(d) ? iso : d.toLocaleString(undefined, {dateStyle: "medium", timeStyle: "short"});
		return el("time", {datetime: iso}, text);
	}

	// row makes the table row of a job entry.
	function row(e) {
		const percent = Math.floor(e.percent_completed * 100);
		const tr = el("tr", {id: "job-" + e.id, "data-status": e.status});
		tr.append(el("td", {}, el("span", {class: "id"}, "#" + e.id), el("span", {class: "by"}, e.created_by)));
		tr.append(el("td", {}, created(e.created_at)));

		const status = el("td", {class: "status"}, el("span", {class: "badge " + e.status}, labels[e.status] || e.status));
		if (e.status === "fail_to_receive" && e.details.length > 0) {
			status.append(el("details", {}, el("summary", {}, plural(e.error_count, "problem", "problems")), violations(e.details, e.error_count)));
		} else if (e.status === "fail_to_process" || e.status === "fail_to_receive") {
			status.append(el("span", {class: "summary"}, e.summary));
		}
		tr.append(status);

		if (e.status === "fail_to_receive") {
			tr.append(el("td", {class: "progress"}, el("span", {class: "none"}, "not rendered")));
		} else {
			const bar = el("progress", {max: "100", value: String(percent), "aria-label": `Job ${e.id} progress`});
			tr.append(el("td", {class: "progress"}, bar, el("span", {class: "percent"}, percent + " %")));
		}

		const dl = el("td", {class: "download"});
		if (e.status === "complete") {
			const buttons = el("div", {class: "buttons"});
			for (const f of formats()) {
				const b = el("button", {type: "button", class: "format", "aria-label": `Download job ${e.id} as ${f}`}, f);
				b.addEventListener("click", () => download(e.id, f, b));
				buttons.append(b);
			}
			dl.append(buttons);
		}
		tr.append(dl);

		const act = el("td", {class: "actions"});
		if (!finalStatus.has(e.status)) {
			const b = el("button", {type: "button", class: "quiet", "aria-label": `Cancel job ${e.id}`}, "Cancel");
			b.addEventListener("click", () => cancel(e.id, b));
			act.append(b);
		}
		act.append(el("span", {class: "msg", role: "status"}));
		tr.append(act);
		return tr;
	}

	function formats() {
		return [...document.querySelectorAll('input[name="format"]')].map((i) => i.value);
	}

	function message(id, text) {
		const m = document.querySelector(`#job-${id} .msg`);
		if (m) m.textContent = text;
	}

	// replace shows the entry of job id afresh, and says what became of it.
	async function replace(id, gen) {
		const e = await apiJSON("GET", `/jobs/${id}`);
		const old = $("job-" + id);
		if (gen !== generation || !old) return;
		old.replaceWith(row(e));
		const text = e.status === "complete" ? "completed" : (labels[e.status] || e.status).toLowerCase() + (e.summary ? ": " + e.summary : "");
		announce(`Job ${id} ${text}.`);
	}

	// poll follows an unfinished job with jobStatus until it ends.
	function poll(id, gen) {
		const tick = async () => {
			if (gen !== generation) return;
			try {
				const s = await apiJSON("GET", `/icweb.dll/jobStatus?id=${id}`);
				const tr = $("job-" + id);
				if (gen !== generation || !tr) return;
				tr.querySelector("progress").value = s.percentComplete;
				tr.querySelector(".percent").textContent = s.percentComplete + " %";
				const badge = tr.querySelector(".badge");
				badge.textContent = serverStates[s.status] || badge.textContent;
				badge.title = s.summary;
				if (s.status === 4 || s.status === 5) {
					await replace(id, gen);
					return;
				}
			} catch (e) {
				if (e.status === 401) return;
				message(id, "Could not follow: " + e.message);
			}
			setTimeout(tick, pollMillis);
		};
		setTimeout(tick, pollMillis);
	}

	async function cancel(id, button) {
		button.disabled = true;
		try {
			await apiJSON("DELETE", `/jobs/${id}`);
		} catch (e) {
			if (e.status === 401) return;
			message(id, e.message);
		}
		await replace(id, generation).catch(() => {});
	}

	// filename reads the name of a Content-Disposition header.
	function filename(cd) {
		if (!cd) return "";
		let m = /filename\*=UTF-8''([^;]+)/i.exec(cd);
		if (m) {
			try { return decodeURIComponent(m[1]); } catch { /* the plain name below */ }
		}
		m = /filename="([^"]*)"/i.exec(cd);
		return m ? m[1] : "";
	}

	// download fetches a job's content with the token and saves it through
	// an object URL: a plain link could not send the token.
	async function download(id, format, button) {
		button.disabled = true;
		message(id, `Preparing ${format}…`);
		try {
			const res = await api("GET", `/jobs/${id}/content?format=${encodeURIComponent(format)}`);
			if (!res.ok) throw new APIError(res.status, await res.json().catch(() => null));
			const blob = await res.blob();
			let name = filename(res.headers.get("Content-Disposition")) || "report";
			name = name.replace(/^report(?=\.|$)/, "report-" + id);
			const url = URL.createObjectURL(blob);
			const a = el("a", {href: url, download: name, hidden: true});
			document.body.append(a);
			a.click();
			a.remove();
			setTimeout(() => URL.revokeObjectURL(url), 60000);
			message(id, `Saved ${name}`);
		} catch (e) {
			if (e.status !== 401) message(id, `Could not download ${format}: ${e.message}`);
		} finally {
			button.disabled = false;
		}
	}

	// Uploading.

	const drop = $("drop");
	const file = $("file");
	for (const t of ["dragenter", "dragover"]) {
		drop.addEventListener(t, (ev) => { ev.preventDefault(); drop.classList.add("over"); });
	}
	drop.addEventListener("dragleave", () => drop.classList.remove("over"));
	drop.addEventListener("drop", (ev) => {
		ev.preventDefault();
		drop.classList.remove("over");
		if (ev.dataTransfer && ev.dataTransfer.files.length > 0) {
			file.files = ev.dataTransfer.files;
			announce(`Chosen: ${file.files[0].name}`);
		}
	});
	// A file dropped beside the zone is not opened in place of the page.
	window.addEventListener("dragover", (ev) => ev.preventDefault());
	window.addEventListener("drop", (ev) => ev.preventDefault());

	$("upload-form").addEventListener("submit", async (ev) => {
		ev.preventDefault();
		const out = $("upload-result");
		const f = file.files[0];
		if (!f) {
			out.replaceChildren(el("p", {class: "error"}, "Choose a document first."));
			file.focus();
			return;
		}
		const chosen = [...document.querySelectorAll('input[name="format"]:checked')].map((i) => encodeURIComponent(i.value));
		const query = chosen.length > 0 ? "?formats=" + chosen.join(",") : "";
		const button = $("upload");
		button.disabled = true;
		out.replaceChildren(el("p", {}, `Uploading ${f.name}…`));
		try {
			const e = await apiJSON("POST", "/jobs" + query, f, {"Content-Type": "application/json"});
			if (e.status === "fail_to_receive") {
				const what = e.error_count > 0 ? plural(e.error_count, "problem", "problems") : e.summary;
				out.replaceChildren(el("div", {class: "rejected"},
					el("p", {class: "error"}, `${f.name} was rejected (job #${e.id}): ${what}.`),
					violations(e.details, e.error_count)));
			} else {
				out.replaceChildren(el("p", {class: "ok"}, `${f.name} received as job #${e.id}.`));
				file.value = "";
			}
		} catch (e) {
			if (e.status !== 401) {
				const p = el("div", {class: "rejected"}, el("p", {class: "error"}, `${f.name} was not accepted: ${e.message}`));
				const pointers = e.details.filter((d) => typeof d.pointer === "string");
				if (pointers.length > 0) p.append(violations(pointers, pointers.length));
				out.replaceChildren(p);
			}
		} finally {
			button.disabled = false;
		}
		page = 0;
		await load();
	});

	if (token !== "") {
		showSignedIn(true);
		load();
	} else {
		showSignedIn(false);
	}
})();
