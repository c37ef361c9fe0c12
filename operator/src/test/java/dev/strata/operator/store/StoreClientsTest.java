package dev.strata.operator.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.engine.store.BlobStoreManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreClientsTest {

  @TempDir Path tmp;
  final List<ScriptedStore> opened = new ArrayList<>();
  final StoreClients clients =
      new StoreClients(
          store -> {
            ScriptedStore s = new ScriptedStore(tmp.resolve("s" + opened.size()), null);
            opened.add(s);
            return s.store;
          });

  @Test
  void oneClientPerStoreUntilItsSpecChanges() {
    BlobStoreManager first = clients.client(StoreCheckerTest.store(1));
    IntStream.range(0, 20)
        .parallel()
        .forEach(i -> assertThat(clients.client(StoreCheckerTest.store(1))).isSameAs(first));
    assertThat(opened).hasSize(1);

    BlobStoreManager changed = clients.client(StoreCheckerTest.store(2));
    assertThat(changed).isNotSameAs(first);
    assertThat(opened.get(0).closed).as("the client of the old spec is closed").isTrue();
    assertThat(clients.size()).isEqualTo(1);
  }

  @Test
  void aDeletedStoresClientIsClosedAndAllAreClosedAtTheEnd() {
    clients.client(StoreCheckerTest.store(1));
    clients.forget("ns", "minio");
    assertThat(opened.get(0).closed).isTrue();
    assertThat(clients.size()).isZero();

    clients.client(StoreCheckerTest.store(1));
    clients.close();
    assertThat(opened.get(1).closed).isTrue();
  }
}
