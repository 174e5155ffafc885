-- 0053: screen_instance is no longer read or written: the screening cache
-- tells stores apart by limes_store_serial, within the process (src/screen/service.c).
DROP TABLE screen_instance;
