-- Backbones added from a folder: where the model lives (source says where it came from) and the first
-- layer of the block fine-tuning unfreezes (NULL: the backbone cannot be fine-tuned).
ALTER TABLE backbones ADD COLUMN model_dir TEXT;
ALTER TABLE backbones ADD COLUMN top_block_start TEXT;
