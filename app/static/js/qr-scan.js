// Reading QR codes with the phone's camera, for the check-in and lead apps.
//
// The browser's BarcodeDetector when it has one (Chrome on Android); otherwise jsQR (the npm
// package, served by the app at /onsite/vendor/jsQR.js when it is installed) on the camera's
// frames drawn to a canvas. window.ocopfairQr:
//   available()                -> true when either can read a QR code here
//   decode(source)             -> Promise of the text of a QR code in an image, a video or a
//                                 canvas, or null when there is none
//   watch(video, onText, onFail) -> opens the back camera into `video`, reads frames until a
//                                 code is found (onText(text)) or the camera fails (onFail())
(function () {
  "use strict";
  var canvas = null;

  function size(source) {
    return {
      width: source.videoWidth || source.naturalWidth || source.width || 0,
      height: source.videoHeight || source.naturalHeight || source.height || 0,
    };
  }
  function hasDetector() { return "BarcodeDetector" in window; }
  function hasJsQr() { return typeof window.jsQR === "function"; }

  function decodeWithJsQr(source) {
    var dimensions = size(source);
    if (!dimensions.width || !dimensions.height) { return null; }
    // Large camera frames are scaled down: jsQR reads a 640-pixel frame well and fast.
    var scale = Math.min(1, 640 / Math.max(dimensions.width, dimensions.height));
    var width = Math.round(dimensions.width * scale), height = Math.round(dimensions.height * scale);
    canvas = canvas || document.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
    var context = canvas.getContext("2d", { willReadFrequently: true });
    context.drawImage(source, 0, 0, width, height);
    var found = window.jsQR(context.getImageData(0, 0, width, height).data, width, height, {
      inversionAttempts: "attemptBoth",
    });
    return found && found.data ? found.data : null;
  }

  function decode(source) {
    if (hasDetector()) {
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      return detector.detect(source).then(function (codes) { return codes.length ? codes[0].rawValue : null; });
    }
    if (hasJsQr()) {
      try { return Promise.resolve(decodeWithJsQr(source)); } catch (error) { return Promise.reject(error); }
    }
    return Promise.reject(new Error("no QR decoder"));
  }

  function watch(video, onText, onFail) {
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
      video.srcObject = stream;
      video.classList.remove("d-none");
      return video.play().then(function () {
        var stop = function () {
          stream.getTracks().forEach(function (t) { t.stop(); });
          video.classList.add("d-none");
        };
        var look = function () {
          decode(video).then(function (text) {
            if (text) { stop(); onText(text); } else { setTimeout(look, 250); }
          }).catch(function () { stop(); onFail(); });
        };
        look();
      });
    }).catch(function () { onFail(); });
  }

  window.ocopfairQr = {
    available: function () { return (hasDetector() || hasJsQr()) && !!navigator.mediaDevices; },
    decode: decode,
    watch: watch,
  };
})();
