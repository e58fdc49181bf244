// The phone apps' service worker, one file for both (app/onsite/offline.py serves it under each
// app's path, for its scope, with the app's cache name in CACHE): the check-in app at
// /onsite/app/sw.js (scope /onsite/app/), lead capture at /onsite/leads/<event>/sw.js.
// The app's page and files: from the network when it answers (and kept), else from the cache.
// The day's data (.json), the token and the sync are never cached: the pages keep their data in
// IndexedDB.
"use strict";
var CACHE = __CACHE__;

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
