// The lead capture app's service worker (served at /onsite/leads/<event>/sw.js, scope /onsite/leads/<event>/).
// The app's page and files: from the network when it answers (and kept), else from the cache.
// The token and the sync are never cached: the page keeps its leads in IndexedDB.
"use strict";
var CACHE = "ocopfair-leads-v1";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (/\.json$|\/token$|\/sync$/.test(url.pathname)) { return; }
  var shell = new URL("./", self.registration.scope).pathname;
  var navigation = request.mode === "navigate";
  if (navigation && url.pathname !== shell) { return; }
  var key = navigation ? shell : request;
  event.respondWith(
    fetch(request).then(function (response) {
      if (response.ok && !response.redirected && response.type === "basic") {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(key, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(key, { ignoreSearch: navigation }).then(function (hit) { return hit || Response.error(); });
    })
  );
});
