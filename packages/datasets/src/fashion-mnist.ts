import type { Dataset } from "@natural-quantization/core";
import { fetchRemoteDataset, loadRemoteDataset, type FetchRemoteOptions, type RemoteDataset, type RemoteOptions } from "./remote.js";

/**
 * Fashion-MNIST (Zalando Research, MIT): 60,000 + 10,000 28x28 grey images of 10 kinds of
 * clothing, in the official split. The mirror and the MD5s are those of the Fashion-MNIST
 * README; the SHA-256s and sizes are those TensorFlow Datasets records for the same URLs
 * (the two label files were checked against both: same bytes, same MD5).
 */
export const FASHION_MNIST: RemoteDataset = {
  name: "fashion-mnist",
  baseUrl: "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
  baseUrlEnv: "NQ_FASHION_MNIST_URL",
  homepage: "https://github.com/zalandoresearch/fashion-mnist",
  files: {
    // MD5 8d4fb7e6c68d591d4c3dfef9ec88bf0d
    trainImages: { name: "train-images-idx3-ubyte.gz", bytes: 26421880, sha256: "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84" },
    // MD5 25c81989df183df01b3e8a0aad5dffbe
    trainLabels: { name: "train-labels-idx1-ubyte.gz", bytes: 29515, sha256: "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845" },
    // MD5 bef4ecab320f06d8554ea6380940ec79
    testImages: { name: "t10k-images-idx3-ubyte.gz", bytes: 4422102, sha256: "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073" },
    // MD5 bb300cfdad3c16e7a12a480ee83cd310
    testLabels: { name: "t10k-labels-idx1-ubyte.gz", bytes: 5148, sha256: "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5" },
  },
};

/** The class names of Fashion-MNIST, by label. */
export const FASHION_MNIST_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"] as const;

/** Downloads Fashion-MNIST into the cache if it is not there yet; returns the directory. */
export function fetchFashionMnist(options: FetchRemoteOptions = {}): Promise<string> {
  return fetchRemoteDataset(FASHION_MNIST, options);
}

/** Fashion-MNIST from the cache (see fetchFashionMnist); trainSize/testSize take the first rows. */
export function loadFashionMnist(sizes: { trainSize?: number; testSize?: number } = {}, options: RemoteOptions = {}): Dataset {
  return loadRemoteDataset(FASHION_MNIST, sizes, options);
}
