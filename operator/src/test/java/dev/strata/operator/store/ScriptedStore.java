package dev.strata.operator.store;

import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.store.LocalBlobStoreManager;
import dev.strata.engine.store.StoreException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;

/** A local store whose access check fails as told, and that remembers being closed. */
final class ScriptedStore {

  final BlobStoreManager store;
  boolean closed;

  ScriptedStore(Path root, StoreException checkFails) {
    try {
      Files.createDirectories(root); // checking a local store never creates it
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    LocalBlobStoreManager local = new LocalBlobStoreManager(root);
    this.store =
        (BlobStoreManager)
            Proxy.newProxyInstance(
                BlobStoreManager.class.getClassLoader(),
                new Class<?>[] {BlobStoreManager.class},
                (proxy, method, args) -> {
                  if (method.getName().equals("checkAccess") && checkFails != null) {
                    throw checkFails;
                  }
                  if (method.getName().equals("close")) {
                    closed = true;
                  }
                  try {
                    return method.invoke(local, args);
                  } catch (InvocationTargetException e) {
                    throw e.getCause();
                  }
                });
  }
}
